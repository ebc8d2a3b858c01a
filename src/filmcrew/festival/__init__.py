"""The festival: an AI film contest run end to end on filmcrew's checker.

Calls for entries (a contest made from a `filmcrew check` profile, with its awards), entrants' accounts and
submissions (films streamed to disk in resumable pieces, stored by content), the automatic eligibility check as
a background job on the executor (a local pool, or a Ray cluster), the jury (assignments without conflicts of
interest, blind if chosen, weighted per-category scores or pairwise comparisons, per award), the organiser's
decisions and audit log, and the public results page. SQLite in the festival's folder by default, PostgreSQL
with `--database`; the schema is changed only by migrations (db.py).

`filmcrew festival init DIR --profile iqiyi-2025`, then `filmcrew festival serve DIR`.
"""
