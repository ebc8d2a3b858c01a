"""The translator: each extra subtitle language of an episode, from the translate provider.

One task per episode and language, keyed by the lines' text only: editing a line re-translates that
episode's subtitles, and nothing on screen or in the sound waits for it. No offline translation model
ships with filmcrew, so this role runs only when `[film] subtitle_languages` and a translator are set."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from .. import ledger
from ..engine import atomic
from ..engine.graph import Task
from .common import EpisodeContext, provider_id

CODE_VERSION = "translator-1"
log = logging.getLogger("filmcrew.translator")


def tasks(ctx: EpisodeContext) -> dict[str, Task]:
    prov = ctx.crew.translator
    if not ctx.subtitle_languages or prov is None:
        return {}
    lines = [(ln.id, ln.text) for ln in ctx.episode.lines()]
    return {lang: Task("translator", f"{ctx.episode.id}.subtitles-{lang}", CODE_VERSION, provider_id(prov),
                       {"lines": lines, "source": ctx.language, "target": lang}, _runner(prov, lines, ctx.language, lang),
                       episode=ctx.episode.number)
            for lang in ctx.subtitle_languages}


def _runner(prov, lines: list[tuple[str, str]], source: str, target: str):
    def run(tctx) -> dict:
        out = prov.translate([t for _, t in lines], source, target)
        if len(out) != len(lines):
            from ..errors import ProviderError
            raise ProviderError(f"{prov.name}: {len(out)} translated lines for {len(lines)} subtitles")
        atomic.write_text(Path(tctx.workdir) / "translation.json",
                          json.dumps({lid: t for (lid, _), t in zip(lines, out)}, ensure_ascii=False, indent=1))
        same = sum(" ".join(a.lower().split()) == " ".join(b.lower().split()) for (_, a), b in zip(lines, out))
        if same > len(lines) // 2:
            log.warning("%s: %d of %d %s subtitle lines came back untranslated from %s; a larger model translates",
                        prov.name, same, len(lines), target, prov.model)
        return ledger.entry(made_by=ledger.made_by(prov), source_type=prov.source_type, model=prov.model,
                            prompt=f"subtitles {source} -> {target}", extra={"lines": len(lines), "unchanged_lines": same})
    return run
