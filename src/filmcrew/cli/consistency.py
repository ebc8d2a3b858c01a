"""`filmcrew consistency` (the report: who drifted where) and `filmcrew take` (see a shot's takes, pin one,
reject one)."""

from __future__ import annotations

import sys

from ..crew import reports
from ..crew import takes
from ..engine.layout import Layout
from ..errors import ConfigError
from .locking import locked
from .making import episode_graphs, positive


@locked("consistency")
def cmd_consistency(a) -> int:
    root, cfg, ctxs, graphs = episode_graphs(a, a.preview)
    if not ctxs or ctxs[0].consistency is None:
        raise ConfigError("the consistency check is off: pip install 'filmcrew[faces]' turns it on "
                          "([consistency] check in filmcrew.toml must not be \"off\"); then run make")
    st = Layout.of(root).store()
    rep, unmade = reports.consistency_report(root, st, cfg, ctxs, graphs)
    if unmade and not rep["takes"]["made"] and not a.preview:
        if any((Layout(root).out / f"{c.episode.id}.preview.mp4").exists() for c in ctxs):
            raise ConfigError(f"only the preview of {root} is made: `filmcrew consistency {root} --preview` checks it "
                              f"(or `filmcrew make {root}` makes the full-size film first)")
    if unmade:
        print(f"{len(unmade)} shot check(s) not made yet ({', '.join(unmade[:3])}{', ...' if len(unmade) > 3 else ''}): "
              f"`filmcrew make {root}{' --preview' if a.preview else ''}` makes them; the report shows the rest",
              file=sys.stderr)
    j, h = reports.write_consistency(root, rep)
    for name, c in rep["characters"].items():
        tr = c["to_reference"]
        n = sum(s["chosen"] for s in c["shots"])
        worst = (f", worst distance {tr['max_distance']:.2f}" if tr["max_distance"] is not None else
                 f", least palette {tr['least_palette']:.2f}" if tr["least_palette"] is not None else "")
        fails = f"; FAILS in {', '.join(c['failed_in_film'])}" if c["failed_in_film"] else ""
        gone = f", not found in {len(c['missing'])}" if c["missing"] else ""
        print(f"{name:<16} {tr['matched']}/{n} shots match{gone}{worst}{fails}")
    for s in (rep.get("lipsync") or {}).get("shots", []):  # (consistency/lipsync.py)
        print(f"lip sync {s['shot']}: {s['verdict']}" + (f" (score {s['score']:.2f}, lag {s['lag']:+d} frames, "
                                                          f"{s['method']})" if s["score"] is not None else ""))
    for name, c in (rep.get("voices") or {}).get("characters", {}).items():  # (consistency/voices.py)
        print(f"voice {name}: {len(c['lines']) - len(c['unlike']) - len(c['not_measurable'])}/{len(c['lines'])} lines "
              f"the same voice" + (f"; UNLIKE: {', '.join(c['unlike'])}" if c["unlike"] else "")
              + (f"; not measurable: {len(c['not_measurable'])}" if c["not_measurable"] else "")
              + "".join(f"; {r['line']} retaken ({len(r['takes']) - 1}), take {r['chosen']} used"  # (crew/takes.py)
                        for r in c["lines"] if len(r.get("takes") or ()) > 1))
    if (rep.get("voices") or {}).get("unavailable"):
        print(f"voices: {rep['voices']['unavailable']}")
    t = rep["takes"]
    print(f"takes: {t['made']} made, {t['retakes']} retakes, {t['failed']} failed; {t['in_film_failing']} failing in "
          f"the film")
    cont = rep.get("continuity")
    if cont is not None:  # (its section of the report; `filmcrew continuity` writes it alone)
        print(f"continuity: {len(cont['breaks'])} break(s)" + "".join(
            f"\n  {b['where']}: shot {b['shot']}: {b['character'] + ': ' if b['character'] else ''}{b['kind']}"
            for b in cont["breaks"]))
    print(f"wrote {h} and {j.name}")
    return 1 if t["in_film_failing"] else 0


@locked("take", when=lambda a: a.use is not None or a.reject or a.retake or a.clear)
def cmd_take(a) -> int:
    root, cfg, ctxs, graphs = episode_graphs(a, a.preview)
    st = Layout.of(root).store()
    if a.use is not None or a.reject or a.retake or a.clear:
        p = takes.pin_take(root, st, graphs, a.shot, use=a.use, reject=a.reject or (), retake=a.retake,
                           clear=a.clear, preview=a.preview)
        print(f"wrote {p}; `filmcrew make {root}` uses it (the takes already made are reused, none is paid twice)")
        return 0
    found = takes.shot_takes(st, graphs, a.shot)
    pin = takes.load_pins(root).get(a.shot, {"use": None, "reject": [], "round": 0})
    for t, rec in found:
        print(f"{t.artifact}:" + (" not made yet" if rec is None else ""))
        for k in rec["takes"] if rec else []:
            chars = ", ".join(f"{n} {c.get('status')}" + (f" {c['distance']:.2f}" if c.get("distance") is not None else "")
                              + (f" {c['similarity']:.2f}" if c.get("similarity") is not None else "")  # (a voice)
                              for n, c in k["characters"].items())
            mark = "*" if k["take"] == rec["chosen"] else " "
            print(f"  {mark} take {k['take']}: {k['verdict']:<15} {chars}" + ("  (rejected)" if k["rejected"] else ""))
        if rec:
            print(f"    used: take {rec['chosen']}, {rec['why']}")
    if pin["use"] is not None or pin["reject"]:
        print(f"pinned in takes/{takes.PICKS}: use {pin['use']}, reject {pin['reject']}")
    return 0


def register(sub) -> None:
    c = sub.add_parser("consistency", help="out/consistency.html: each character's face in every shot, scored")
    c.add_argument("project")
    c.add_argument("--episode", type=positive)
    c.add_argument("--preview", action="store_true", help="the --preview make's takes")
    c.set_defaults(fn=cmd_consistency)
    t = sub.add_parser("take", help="a shot's takes and their scores; pin one (--use N) or reject one (--reject N)")
    t.add_argument("project")
    t.add_argument("shot", help="a shot id, such as ep01-s02-sh01, or a line id (ep01-s02-l03: its voice's takes)")
    t.add_argument("--use", type=int, help="use take N (never retaken)")
    t.add_argument("--reject", type=int, action="append", help="never use take N (repeatable)")
    t.add_argument("--retake", action="store_true", help="check the shot again, making more takes if it fails")
    t.add_argument("--clear", action="store_true", help="drop the shot's pins and rejections")
    t.add_argument("--episode", type=positive)
    t.add_argument("--preview", action="store_true")
    t.set_defaults(fn=cmd_take)
