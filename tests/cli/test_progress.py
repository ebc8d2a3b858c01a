"""The command line's progress off a terminal (a log, a pipe, CI): a line as each task is made, and while a long
task runs, what is running, so a make is never silent for more than a few seconds (issue 36)."""

import io
import time

from filmcrew.engine.executor import BarProgress


def test_off_a_terminal_each_task_has_its_line_and_a_long_task_is_reported_while_it_runs():
    out = io.StringIO()  # not a terminal
    bar = BarProgress(out, quiet_s=0.5)
    ev = lambda type, **f: bar({"type": type, **f})  # noqa: E731
    ev("run_started", tasks=3, roles={"animator": 2, "finisher": 1})
    ev("task_ended", role="animator", artifact="ep01-s01-sh01.clip", outcome="kept", done=1, total=3)
    ev("task_started", role="animator", artifact="ep01-s01-sh02.clip")
    ev("task_started", role="finisher", artifact="ep01.mix")
    time.sleep(2.6)  # a long task: nothing ended for a while
    ev("task_ended", role="animator", artifact="ep01-s01-sh02.clip", outcome="made", seconds=2.6, done=2, total=3)
    ev("task_ended", role="finisher", artifact="ep01.mix", outcome="failed", error="ffmpeg failed", done=3, total=3)
    ev("run_ended", outcome="failed")
    lines = out.getvalue().splitlines()
    assert lines[0] == "making 3 artifact(s): animator 2, finisher 1"
    beats = [ln for ln in lines if ln.startswith("  ... making ")]
    assert beats and "ep01-s01-sh02.clip (animator, " in beats[0] and "ep01.mix (finisher, " in beats[0]
    assert "  [2/3] animator ep01-s01-sh02.clip: made in 2.6 s" in lines
    assert "  [3/3] finisher ep01.mix: failed: ffmpeg failed" in lines
    assert not any("sh01.clip:" in ln for ln in lines)  # a task found made has no line of its own
    assert any(ln.startswith("  animator: 2 done (") for ln in lines)
    n = len(lines)
    time.sleep(1.5)
    assert len(out.getvalue().splitlines()) == n  # the run ended: no more lines
