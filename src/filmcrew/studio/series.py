"""The studio's series page (issue 37): the series card (crew/series_card.py) of the project: its episodes, its
characters and places with their state episode by episode, and the continuity breaks last found (out/continuity.json,
written by `filmcrew continuity` or the consistency report; the page says when it has none). Registered by
studio/app.py (`register`); the page reads files only, it makes and measures nothing."""

# (no `from __future__ import annotations`: FastAPI reads the route's annotations, imported inside register)
import json
from pathlib import Path

from .. import pipeline, project
from ..crew import series_card
from ..engine.layout import Layout


def card(root: Path) -> dict:
    """The card of the project in `root`, with the films made (full size when any is, else the preview)."""
    cfg = project.load_config(root)
    bible = project.load_bible(root)
    eps = [pipeline.load_episode(root, n, bible, cfg.language) for n in range(1, cfg.episodes + 1)
           if project.episode_path(root, n).exists()]
    out = Layout.of(root).out
    preview = not any((out / f"{e.id}.mp4").exists() for e in eps)
    cont_path = out / "continuity.json"
    cont = json.loads(cont_path.read_text(encoding="utf-8")) if cont_path.exists() else None
    return series_card.build(root, cfg, bible, eps, cont, preview)


def register(app, root: Path, render, needs_film) -> None:
    from fastapi import Request

    @app.get("/series", dependencies=needs_film)
    def series_page(request: Request):
        c = card(root)
        return render(request, "series.html", tab="/series", card=c, body=series_card.section(c))
