"""A task may name modules its run imports that take long to load (Task.warm, the mix's scipy.signal): the local pool
imports them in the background as the make starts, while its first tasks run (issue 36)."""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

from filmcrew.engine.executor import execute
from filmcrew.engine.graph import ProviderId, Task
from filmcrew.engine.store import Store


def test_modules_a_make_will_need_are_imported_in_the_background_while_its_first_task_runs(tmp_path, monkeypatch):
    name = f"warm_probe_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text("import threading\nTHREAD = threading.current_thread().name\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    seen: dict = {}

    def voice(ctx):  # the first task: by the time it ends, the warm thread has loaded the module
        deadline = time.monotonic() + 20
        while name not in sys.modules and time.monotonic() < deadline:
            time.sleep(0.01)
        seen["loaded_during_voice"] = name in sys.modules
        (Path(ctx.workdir) / "line.wav").write_bytes(b"x")
        return {}

    def mix(ctx):
        seen["thread"] = __import__(name).THREAD
        (Path(ctx.workdir) / "mix.wav").write_bytes(b"y")
        return {}

    pid = ProviderId("test", "1")
    v = Task("voice", "ep01-s01-l01.voice", "v1", pid, {}, voice)
    m = Task("finisher", "ep01.mix", "m1", pid, {}, mix, inputs={"voice": v},
             warm=(f"no_such_module_{uuid.uuid4().hex}", name))  # (a missing one is skipped: its task would say so)
    plain = Task("finisher", "ep01.mix", "m1", pid, {}, mix, inputs={"voice": v})
    assert m.key == plain.key  # not in the key
    report = execute(Store(tmp_path / ".filmcrew"), [m])
    assert report.ran == ["ep01-s01-l01.voice", "ep01.mix"] and not report.failed
    assert seen == {"loaded_during_voice": True, "thread": "filmcrew-warm"}
