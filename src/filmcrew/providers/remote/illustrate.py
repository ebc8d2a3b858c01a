"""What every remote image provider (the `illustrator` role) shares: the prompt a shot or a reference sheet
gives, the references bound to names, the job through `jobs.run`, the price, and the still fitted to the
canvas as one layer (the offline animator moves its camera over it as over the procedural layers).

A vendor module subclasses `RemoteIllustrator` and writes `adapter()` (its protocol), `ask()` (the request
for one image) and `price()`; nothing else."""

from __future__ import annotations

import io
import json
from pathlib import Path

from ... import ledger
from ...engine import atomic
from ...errors import ProviderError
from ..base import DrawRequest, ReferenceRequest
from . import jobs


class RemoteIllustrator(jobs.Remote):
    source_type = ledger.TRAINED
    deterministic = False  # a remote model samples: see providers/base.py
    uses_references = True  # the illustrator crew makes a reference per character and recurring place first
    max_references = 10  # how many reference images one request may carry (a vendor module says its own)
    references_fix = "split the shot"  # what to do about a shot with more characters than that
    version = "1"

    def __init__(self, env: dict | None = None, *, max_concurrent: int = 2, poll_every: float = 2.0,
                 job_timeout: float = 3600.0, max_failures: int = 5, timeout: float = 300.0):
        super().__init__(env, max_concurrent=max_concurrent, poll_every=poll_every, job_timeout=job_timeout,
                         max_failures=max_failures, timeout=timeout)

    # -- what a vendor module writes ------------------------------------------------------------------
    def adapter(self) -> jobs.Adapter: ...
    def ask(self, prompt: str, refs: list[tuple[str, bytes]], size: tuple[int, int], preview: bool,
            take: int = 0) -> dict: ...  # take: a retake's number (a model that takes a seed is given another)
    def price(self, request: dict) -> dict: ...

    # -- prompts --------------------------------------------------------------------------------------
    @staticmethod
    def shot_prompt(req: DrawRequest, place_ref: int = 0) -> str:
        """The prompt of a shot: the characters numbered as their reference images are sent, then the place's
        reference (`place_ref`: its number, 0 when none is sent)."""
        sc, sh = req.scene, req.shot
        where = f"{'Interior' if sc.interior else 'Exterior'}, {sc.location.lower()}, {sc.time_of_day.lower() or 'day'}"
        if req.place:
            where += f": {req.place}"
        if place_ref:
            where += f" (the place as in reference image {place_ref})"
        people = "; ".join(f"{c.name} (reference image {k}): {describe(c)}" for k, c in enumerate(req.characters, 1))
        parts = [f"A {sh.camera} shot, one frame of a film in a {req.style} style, vertical" if req.size[1] > req.size[0]
                 else f"A {sh.camera} shot, one frame of a film in a {req.style} style",
                 where, sh.action, f"Mood: {sh.mood or sc.mood}" if (sh.mood or sc.mood) else "",
                 f"Characters: {people}. Keep each one exactly as in their reference image" if people else
                 "No people in the frame", "No text, no captions, no watermark"]
        return ". ".join(p.rstrip(".") for p in parts if p) + "."

    @staticmethod
    def reference_prompt(req: ReferenceRequest) -> str:
        if req.kind == "character":
            return (f"Character sheet of {req.name}: one full-length figure, front view, standing, neutral "
                    f"expression, plain light grey background, even light. {req.description}. {req.style} style. "
                    f"No text.")
        return f"Establishing view of {req.name}, empty of people. {req.description}. {req.style} style. No text."

    # -- the two things the crew asks ------------------------------------------------------------------
    def draw(self, req: DrawRequest, out_dir: Path) -> tuple[Path, ...]:
        names = [c.name for c in req.characters]
        refs = dict(req.references)
        missing = [n for n in names if n not in refs]
        if missing:
            raise ProviderError(f"{self.name}: shot {req.shot.id} shows {', '.join(missing)} but has no reference image "
                                f"for them; a character is never drawn from text alone (make their reference first, "
                                f"or put one in takes/)")
        if len(names) > self.max_references:
            raise ProviderError(f"{self.name}: shot {req.shot.id} shows {len(names)} characters; one request carries at "
                                f"most {self.max_references} reference images: {self.references_fix} (a character is "
                                f"never drawn from text alone)")
        sent = list(names)
        place = req.scene.location
        if place in refs and place not in sent and len(sent) < self.max_references:
            sent.append(place)  # the place's reference, after the characters, where there is room for it
        bound = [(n, Path(refs[n]).read_bytes()) for n in sent]
        request = self.ask(self.shot_prompt(req, len(sent) if sent[-1:] == [place] else 0), bound,
                           _model_size(req.size), req.preview, req.take)
        path, rec = self._job(req.job, request)
        fit(path, req.size, Path(out_dir) / "background.png")
        self._note(out_dir, request, rec, [[n, _sha(Path(refs[n]))] for n in sent])
        return (Path(out_dir) / "background.png",)

    def reference(self, req: ReferenceRequest, out_dir: Path) -> Path:
        request = self.ask(self.reference_prompt(req), [], _model_size(req.size), req.preview)
        path, rec = self._job(req.job, request)
        fit(path, req.size, Path(out_dir) / "reference.png", pad=True)
        self._note(out_dir, request, rec, [])
        return Path(out_dir) / "reference.png"

    def estimate(self, preview: bool, size: tuple[int, int]) -> dict:
        """What one image costs (the price table's currency), before anything is sent."""
        return self.price(self.ask("", [], _model_size(size), preview))

    # -- the job ---------------------------------------------------------------------------------------
    def _job(self, ticket, request: dict) -> tuple[Path, dict]:
        if not isinstance(ticket, jobs.JobTicket):
            raise ProviderError(f"{self.name}: no job ticket (the crew gives one to every remote task); this is a bug")
        out = jobs.run(ticket, self.adapter(), request, kind="image", estimate=self.price(request),
                       settings=self.settings, max_concurrent=self.max_concurrent)
        return out.path, out.record

    def _note(self, out_dir, request: dict, rec: dict, refs: list) -> None:
        """generation.json: what the ledger records of this image (prompt, [name, SHA-256 of its reference] in
        the order the prompt numbers them, cost, job)."""
        info = {"provider": self.name, "model": self.model, "prompt": request.get("prompt", ""),
                "references": refs, "estimate": rec.get("estimate"), "actual": rec.get("actual"),
                "job": {k: rec.get(k) for k in ("label", "client_id", "handle", "submitted_at", "fetched_at")}}
        atomic.write_text(Path(out_dir) / "generation.json", json.dumps(ledger.scrub(info), indent=1, ensure_ascii=False))


def b64_image(data: list, where: str) -> jobs.Status:
    """The first image of an answer's `data: [{b64_json}]`, or a failed status saying what is missing."""
    import base64
    if not data or not isinstance(data[0], dict) or not data[0].get("b64_json"):
        return jobs.Status(jobs.FAILED, detail=f"the answer holds no image ({where} is missing)")
    try:
        return jobs.Status(jobs.DONE, data=base64.b64decode(data[0]["b64_json"], validate=True))
    except ValueError:
        return jobs.Status(jobs.FAILED, detail=f"{where} is not base64")


def describe(c) -> str:
    look = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in c.look.items())
    bits = [c.description, f"wearing {c.costume}" if c.costume else "", look, getattr(c, "state", ""),
            f"carrying {', '.join(c.props)}" if getattr(c, "props", ()) else ""]
    return ", ".join(b for b in bits if b)


def _model_size(canvas: tuple[int, int]) -> tuple[int, int]:
    """The canvas's shape in the sizes image models make (the still is fitted to the canvas afterwards)."""
    w, h = canvas
    return (1024, 1536) if h > w * 1.2 else (1536, 1024) if w > h * 1.2 else (1024, 1024)


def fit(src: Path, size: tuple[int, int], dst: Path, pad: bool = False) -> None:
    """The result scaled and centre-cropped to fill `size` (a reference sheet is padded instead, so the whole
    figure stays), as RGBA PNG."""
    from PIL import Image, ImageOps
    with Image.open(src) as im:
        im = im.convert("RGBA")
        out = ImageOps.pad(im, size, Image.LANCZOS, color=(200, 200, 200, 255)) if pad else \
            ImageOps.fit(im, size, Image.LANCZOS)
    buf = io.BytesIO()
    out.save(buf, "PNG", compress_level=1)
    atomic.write_bytes(dst, buf.getvalue())


def _sha(p: Path) -> str:
    import hashlib
    return hashlib.sha256(p.read_bytes()).hexdigest()


def generation(folder: Path) -> dict | None:
    p = Path(folder) / "generation.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None
