"""The consistency report: for each character, its reference and a strip of its faces (or figures) from every
shot with the scores, failures highlighted; as data (consistency.json) and as a page (consistency.html, one
self-contained file, pictures inline).

The figures follow the published story-visualisation benchmarks' split: how close each shot's character is to
its reference, how close the character's own shots are to each other, the shots where a named character is
not found, and the faces that match nobody the shot names.
"""

from __future__ import annotations

import base64
import html
import itertools
import re
from pathlib import Path

import numpy as np

SLUG = re.compile(r"[^a-z0-9]+")


def slug(name: str) -> str:
    return SLUG.sub("-", name.lower()).strip("-") or "unnamed"


def build(picks: list[dict], references: dict[str, Path], settings: dict, title: str) -> dict:
    """`picks`: each made pick's pick.json with "folder" (where its crops are) and "episode"; `references`:
    {character name: its reference folder}. Returns the report as data (pictures as paths)."""
    chars: dict[str, dict] = {}
    shots, unknown, unmeasured = [], [], []
    for p in picks:
        chosen = next(t for t in p["takes"] if t["take"] == p["chosen"])
        shots.append({"shot": p["shot"], "kind": p["kind"], "episode": p.get("episode"), "takes": len(p["takes"]),
                      "chosen": p["chosen"], "why": p["why"], "stopped": p.get("stopped"),
                      "verdicts": [t["verdict"] for t in p["takes"]], "method": chosen["method"],
                      "rejected": [t["take"] for t in p["takes"] if t.get("rejected")],
                      "reasons": chosen["reasons"]})
        if chosen["verdict"] == "not measurable" and p["names"]:
            unmeasured.append({"shot": p["shot"], "kind": p["kind"], "why": "; ".join(chosen["reasons"])})
        for s in chosen["strangers"]:
            unknown.append({"shot": p["shot"], "kind": p["kind"], "take": p["chosen"], **s})
        for name in p["names"]:
            c = chars.setdefault(name, {"reference": str(Path(references[name]) / "reference.png")
                                        if name in references else None, "shots": []})
            for t in p["takes"]:
                sc = t["characters"].get(name, {"status": "not measurable"})
                crop = Path(p["folder"]) / f"crop-{t['take']}-{slug(name)}.png"
                c["shots"].append({"shot": p["shot"], "kind": p["kind"], "take": t["take"],
                                   "chosen": t["take"] == p["chosen"], "method": t["method"],
                                   "status": sc.get("status") if t["method"] != "none" else "not measurable",
                                   **{k: sc[k] for k in ("distance", "palette", "silhouette", "looks_like") if k in sc},
                                   "crop": str(crop) if crop.exists() else None,
                                   "_embedding": sc.get("embedding"), "_hist": sc.get("hist")})
    for name, c in chars.items():
        used = [s for s in c["shots"] if s["chosen"]]
        d = [s["distance"] for s in used if s.get("distance") is not None]
        pal = [s["palette"] for s in used if s.get("palette") is not None]
        sil = [s["silhouette"] for s in used if s.get("silhouette") is not None]
        c["to_reference"] = {"shots_measured": len(d) + len(pal), "mean_distance": _mean(d), "max_distance": _max(d),
                             "least_palette": _min(pal), "least_silhouette": _min(sil),
                             "matched": sum(s["status"] == "match" for s in used)}
        embs = [np.asarray(s["_embedding"]) for s in used if s.get("_embedding")]
        hists = [np.asarray(s["_hist"]) for s in used if s.get("_hist")]
        pair_d = [float(np.linalg.norm(a - b)) for a, b in itertools.combinations(embs, 2)]
        pair_p = [float(np.minimum(a, b).sum()) for a, b in itertools.combinations(hists, 2)]
        c["across_shots"] = {"pairs": len(pair_d) + len(pair_p), "mean_distance": _mean(pair_d),
                             "max_distance": _max(pair_d), "least_palette": _min(pair_p)}
        c["missing"] = sorted({s["shot"] for s in used if s["status"] == "missing"})
        c["failed"] = sorted({f"{s['shot']} take {s['take']}" for s in c["shots"] if s["status"] == "mismatch"})
        c["failed_in_film"] = sorted({s["shot"] for s in used if s["status"] == "mismatch"})
        for s in c["shots"]:
            s.pop("_embedding"), s.pop("_hist")
    return {"title": title, "settings": settings, "characters": chars, "shots": shots, "unknown_faces": unknown,
            "not_measurable": unmeasured,
            "takes": {"made": sum(s["takes"] for s in shots), "retakes": sum(s["takes"] - 1 for s in shots),
                      "failed": sum(v == "fail" for s in shots for v in s["verdicts"]),
                      "in_film_failing": sum(s["verdicts"][s["chosen"]] == "fail" for s in shots)}}


def _mean(v):
    return round(sum(v) / len(v), 3) if v else None


def _max(v):
    return round(max(v), 3) if v else None


def _min(v):
    return round(min(v), 3) if v else None


def _img(path: str | None, alt: str, cls: str = "") -> str:
    if not path or not Path(path).exists():
        return f'<div class="noimg {cls}">{html.escape(alt)}</div>'
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f'<img class="{cls}" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _score(s: dict) -> str:
    if s.get("distance") is not None:
        return f"distance {s['distance']:.2f}" + (f"<br>looks like {html.escape(s['looks_like'])}" if s.get("looks_like") else "")
    if s.get("palette") is not None:
        return f"palette {s['palette']:.2f}<br>outline {s['silhouette']:.2f}"
    return html.escape(s["status"])


CSS = """body{font:15px/1.4 system-ui,'Noto Sans CJK SC',sans-serif;margin:24px;color:#222;background:#fafaf7}
h1{font-size:22px}h2{font-size:18px;margin:28px 0 6px}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}.row{display:flex;gap:10px;
overflow-x:auto;align-items:flex-start;padding-bottom:6px}.ref{border:3px solid #333;max-height:180px}
.card{width:130px;flex:none;border:3px solid #9c9;border-radius:6px;padding:4px;background:#fff;font-size:12px}
.card img,.noimg{width:120px;height:120px;object-fit:contain;display:block;background:#eee}.noimg{font-size:11px;
display:flex;align-items:center;justify-content:center;color:#777;text-align:center}
.card.mismatch{border-color:#d22;background:#fee}.card.missing,.card.not-measurable{border-color:#bbb;
background:#f4f4f4}.card.unused{opacity:.55}.fail{color:#c00;font-weight:bold}.ok{color:#080}.note{color:#555}"""


def render(rep: dict) -> str:
    st = rep["settings"]
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(rep['title'])}: consistency</title>"
           f"<style>{CSS}</style></head><body>",
           f"<h1>{html.escape(rep['title'])}: character consistency</h1>",
           f"<p class='note'>Faces: dlib embeddings, same person below {st['threshold']:g}. Drawn figures (where dlib "
           f"finds no face): colours at least {st['palette']:g} and outline at least {st['silhouette']:g} like the "
           f"character's sheet; a check of the drawing, not of identity. Takes made: {rep['takes']['made']} "
           f"({rep['takes']['retakes']} retakes), {rep['takes']['failed']} failed; failing takes in the film: "
           f"<span class='{'fail' if rep['takes']['in_film_failing'] else 'ok'}'>{rep['takes']['in_film_failing']}</span>.</p>"]
    for name, c in rep["characters"].items():
        tr, ac = c["to_reference"], c["across_shots"]
        bits = [f"{tr['matched']}/{sum(s['chosen'] for s in c['shots'])} shots match the reference"]
        if tr["mean_distance"] is not None:
            bits.append(f"distance to reference mean {tr['mean_distance']:.2f}, worst {tr['max_distance']:.2f}")
        if tr["least_palette"] is not None:
            bits.append(f"least palette {tr['least_palette']:.2f}, least outline {tr['least_silhouette']:.2f}")
        if ac["mean_distance"] is not None:
            bits.append(f"across its shots mean {ac['mean_distance']:.2f}, worst {ac['max_distance']:.2f}")
        if ac["least_palette"] is not None:
            bits.append(f"across its shots least palette {ac['least_palette']:.2f}")
        if c["missing"]:
            bits.append(f"not found in {', '.join(c['missing'])}")
        if c["failed_in_film"]:
            bits.append(f"<span class='fail'>fails in the film: {', '.join(c['failed_in_film'])}</span>")
        out.append(f"<h2>{html.escape(name)}</h2><p>{'; '.join(bits)}</p><div class='row'>"
                   + _img(c["reference"], f"no reference for {name}", "ref"))
        for s in c["shots"]:
            cls = s["status"].replace(" ", "-") + ("" if s["chosen"] else " unused")
            label = f"{s['shot']}{' clip' if s['kind'] == 'video' else ''} · take {s['take']}{' ✓' if s['chosen'] else ''}"
            out.append(f"<div class='card {cls}'>{_img(s['crop'], s['status'])}<b>{html.escape(label)}</b><br>"
                       f"{_score(s)}</div>")
        out.append("</div>")
    out.append("<h2>Shots</h2><table><tr><th>shot</th><th>checked</th><th>takes</th><th>used</th><th>why</th></tr>")
    for s in rep["shots"]:
        v = " ".join(f"<span class='{'fail' if x == 'fail' else 'ok' if x == 'pass' else 'note'}'>{html.escape(x)}</span>"
                     + (" (rejected)" if k in s["rejected"] else "") for k, x in enumerate(s["verdicts"]))
        out.append(f"<tr><td>{html.escape(s['shot'])}{' (clip)' if s['kind'] == 'video' else ''}</td>"
                   f"<td>{html.escape(s['method'])}</td><td>{v}</td><td>{s['chosen']}</td>"
                   f"<td>{html.escape(s['why'])}</td></tr>")
    out.append("</table>")
    if rep["unknown_faces"]:
        out.append("<h2>Faces that match nobody the shot names</h2><ul>" + "".join(
            f"<li>{html.escape(u['shot'])} take {u['take']}: nearest {html.escape(str(u.get('nearest')))}"
            + ("" if u.get("distance") is None else f" ({u['distance']:.2f})") + "</li>"
            for u in rep["unknown_faces"]) + "</ul>")
    if rep["not_measurable"]:
        out.append("<h2>Not measurable</h2><ul>" + "".join(
            f"<li>{html.escape(u['shot'])}: {html.escape(u['why'])}</li>" for u in rep["not_measurable"]) + "</ul>")
    from .lipsync import render as lip_sync
    out.append(lip_sync(rep.get("lipsync") or {}))  # (a section of its own: consistency/lipsync.py)
    from .voices import render as voice_identity
    out.append(voice_identity(rep.get("voices") or {}))  # (consistency/voices.py)
    out.append("</body></html>")
    return "\n".join(out)
