"""The festival's jury (issue 16): the rankings' arithmetic, assignments that respect conflicts and balance the load,
what a juror may see and do, decisions and the published results."""

from __future__ import annotations

import random

import pytest

pytest.importorskip("sqlalchemy", reason="the festival needs its extra: pip install 'filmcrew[festival]'")

from festival_helpers import PASSWORD, entrant, make_festival, send, synth  # noqa: E402

from filmcrew.festival.accounts import Refusal  # noqa: E402
from filmcrew.festival.checks import Checker  # noqa: E402
from filmcrew.festival.jury import Jury, bradley_terry, ranks, weighted_marks  # noqa: E402
from filmcrew.festival.phases import Phases  # noqa: E402


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    return synth(tmp_path_factory.mktemp("films") / "plain.mp4")


def test_bradley_terry_recovers_the_true_order_from_few_comparisons_per_juror():
    rng = random.Random(5)
    films = list(range(1, 41))
    truth = {f: 2.0 ** (f / 8.0) for f in films}  # film 40 the best, by far over film 1
    results = []
    for _ in range(25):  # 25 jurors, 8 films each, 4 comparisons per film
        seen = rng.sample(films, 8)
        for i in range(8):
            for step in (1, 2):
                a, b = sorted((seen[i], seen[(i + step) % 8]))
                p_a = truth[a] / (truth[a] + truth[b])
                results.append((a, b, a if rng.random() < p_a else b))
    fit = bradley_terry(results)
    order = sorted(fit, key=fit.get)
    rank = {f: i for i, f in enumerate(order)}
    n = len(films)
    rho = 1 - 6 * sum((rank[f] - (f - 1)) ** 2 for f in films) / (n * (n * n - 1))
    assert rho > 0.85, rho
    assert set(order[-5:]) & {36, 37, 38, 39, 40} and order[-1] >= 33
    # a film that never won keeps a finite strength, below the one that beat it
    few = bradley_terry([(1, 2, 2), (1, 2, 2), (2, 3, 3)])
    assert 0 < few[1] < few[2] < few[3]


def test_about_equal_is_half_a_win_each_and_equal_films_share_a_rank():
    # 1 beats 2 and 3 every time; 2 and 3 are judged about equal (None) by every juror
    fit = bradley_terry([(1, 2, 1), (1, 3, 1), (2, 3, None), (2, 3, None), (1, 2, 1), (1, 3, 1)])
    assert fit[1] > fit[2] and abs(fit[2] - fit[3]) < 1e-9
    # a tie against a stronger film raises a film above one that only lost to it
    fit = bradley_terry([(1, 2, 1), (1, 3, None)])
    assert fit[3] > fit[2]
    rows = ranks([{"entry": e, "mark": m} for e, m in ((5, 2.0), (7, 1.0), (8, 1.0), (9, 0.5))])
    assert [(r["entry"], r["rank"], r["tied"]) for r in rows] == [(5, 1, False), (7, 2, True), (8, 2, True), (9, 4, False)]


def test_weighted_marks_are_the_weighted_mean_of_the_category_means():
    cats = [{"name": "story", "weight": 0.4}, {"name": "craft", "weight": 0.6}]
    rows = [(7, "story", 7.0, 2), (7, "craft", 7.0, 2),  # film 7: story 8 and 6, craft 5 and 9
            (8, "story", 10.0, 1)]  # film 8: craft unmarked; its story alone counts
    marks = weighted_marks(rows, cats)
    assert marks[7] == (pytest.approx(0.4 * 7 + 0.6 * 7), 2) and marks[8] == (pytest.approx(10.0), 1)


def _eligible(fest, *entry_ids):
    """Mark entries' checks as passed (the plain test film fails the contest's rules; the jury needs eligible
    films, and the whole-film tests use a real one)."""
    with fest.engine.begin() as c:
        for eid in entry_ids:
            c.exec_driver_sql(f"update checks set passed = true, ai_share = 0.9 where entry_id = {eid}")


def test_assignments_conflicts_blind_judging_decisions_and_results(tmp_path, plain):
    fest = make_festival(tmp_path / "fest")
    jury = Jury(fest)
    org = fest.session(fest.login("org@example.org", PASSWORD)[0])
    cid = fest.contest()["id"]
    people = [entrant(fest, f"e{i}@example.org") for i in range(6)]
    entries = [send(fest, p, plain, f"Film {i}") for i, p in enumerate(people)]
    Checker(fest).run_once()
    _eligible(fest, *entries[:5])  # the sixth stays not eligible
    tokens = [jury.invite(org, f"j{i}@example.org", f"Juror {i}") for i in range(4)]
    with pytest.raises(Refusal):
        jury.invite(people[0], "x@example.org", "X")  # only the organiser invites
    with pytest.raises(Refusal) as r:
        fest.login("j0@example.org", "")  # no password yet: no way in
    assert r.value.status == 401
    jurors = []
    for i, t in enumerate(tokens):
        assert jury.accept(t, PASSWORD) == f"j{i}@example.org"
        jurors.append(fest.session(fest.login(f"j{i}@example.org", PASSWORD)[0]))
    with pytest.raises(Refusal):
        jury.accept(tokens[0], PASSWORD)  # an invitation works once
    # juror 0 knows entrant 0: never assigned their film
    jury.declare_conflict(org, jurors[0]["id"], entrant_id=people[0]["id"], reason="same film school")
    with pytest.raises(Refusal, match="only while the contest is judging"):
        jury.assign(org, cid, per_entry=2)  # entries are still open: nobody judges yet
    Phases(fest).move(org, cid, "judging")
    got = jury.assign(org, cid, per_entry=2)
    assert got == {"assigned": 10, "short": []}
    mine = {j["id"]: [r["id"] for r in jury.assigned(j, cid)] for j in jurors}
    assert entries[0] not in mine[jurors[0]["id"]] and entries[5] not in sum(mine.values(), [])
    loads = sorted(len(v) for v in mine.values())
    assert loads[-1] - loads[0] <= 1 and sum(loads) == 10  # balanced
    assert jury.assign(org, cid, per_entry=2)["assigned"] == 0  # again: nothing new
    # a juror sees their films only, without names when blind; nobody else's marks before the organiser opens them
    j = jurors[1]
    theirs, other = mine[j["id"]][0], next(e for e in entries[:5] if e not in mine[j["id"]])
    assert fest.entry(j, theirs)["entrant"] is not None
    jury.set_contest(org, cid, blind=True)
    seen = fest.entry(j, theirs)
    assert seen["entrant"] is None and seen["entrant_id"] is None and seen["credits"] is None
    assert all(r["entrant"] is None for r in jury.assigned(j, cid))
    with pytest.raises(Refusal) as r:
        fest.entry(j, other)
    assert r.value.status == 404
    best, by_comparing = fest.awards(cid)[0], fest.awards(cid)[1]
    marks = {"story": 9, "craft": 8, "creativity": 7}
    with pytest.raises(Refusal) as r:
        jury.score(j, other, best["id"], marks)
    assert r.value.status == 404
    with pytest.raises(Refusal, match="from 1 to 10"):
        jury.score(j, theirs, best["id"], {**marks, "craft": 11})
    with pytest.raises(Refusal, match="comparing films"):
        jury.score(j, theirs, by_comparing["id"], {"creativity": 5})
    for juror in jurors:
        for eid in mine[juror["id"]]:
            jury.score(juror, eid, best["id"], {k: (10 if eid == entries[2] else 5) for k in marks})
    assert jury.others_scores(j, theirs) is None
    jury.set_contest(org, cid, scores_open=True)
    assert jury.others_scores(j, theirs) and all(s["category"] in marks for s in jury.others_scores(j, theirs))
    # pairwise: each juror's pairs, answered by a fixed preference (film 3 best)
    for juror in jurors:
        while (pair := jury.next_pair(juror, by_comparing["id"])) is not None:
            a, b = pair
            jury.compare(juror, by_comparing["id"], a, b, entries[3] if entries[3] in pair else max(a, b))
    ranked = jury.ranking(org, by_comparing["id"])
    assert ranked[0]["entry"] == entries[3]
    assert jury.ranking(org, best["id"])[0]["entry"] == entries[2]
    with pytest.raises(Refusal):
        jury.ranking(j, best["id"])  # rankings are the organiser's
    # a juror declares a conflict with one of their films: that assignment goes
    jury.declare_conflict(j, j["id"], entry_id=theirs, reason="I know the director")
    assert theirs not in [r["id"] for r in jury.assigned(j, cid)]
    # decisions: only eligible entries; publishing needs every award decided
    with pytest.raises(Refusal, match="eligible"):
        jury.decide(org, best["id"], entries[5])
    narration = fest.awards(cid)[2]
    with pytest.raises(Refusal, match="only a film the jury judged can win"):
        jury.decide(org, narration["id"], entries[1])  # nobody marked it for this award
    jury.decide(org, best["id"], entries[2])
    jury.decide(org, by_comparing["id"], entries[3])
    with pytest.raises(Refusal, match="Best Narration has no winner"):
        Phases(fest).move(org, cid, "decided")
    with pytest.raises(Refusal, match="moves open"):
        Phases(fest).move(org, cid, "published")  # not before it is decided
    judge_1 = next(j for j in jurors if entries[1] in mine[j["id"]])
    jury.score(judge_1, entries[1], narration["id"], {"narration": 8, "voices": 7})
    jury.decide(org, narration["id"], entries[1])
    Phases(fest).move(org, cid, "decided")
    assert jury.results(cid) is None
    Phases(fest).move(org, cid, "published")
    res = jury.results(cid)
    assert [r["award"] for r in res] == ["Best Film", "Best Creativity", "Best Narration"]
    assert res[0]["entry"]["title"] == "Film 2" and res[0]["ai_share"] == 0.9 and "ai_share" in res[0]["disclosure"]
    with pytest.raises(Refusal, match="it is published"):
        jury.score(jurors[2], mine[jurors[2]["id"]][0], best["id"], marks)
    with pytest.raises(Refusal, match="final"):
        Phases(fest).move(org, cid, "judging")
    log = [a["action"] for a in fest.audit_log(org)]
    for action in ("juror invited", "juror joined", "conflict declared", "jurors assigned", "award decided",
                   "contest changed", "contest phase"):
        assert action in log, action
    fest.close()
