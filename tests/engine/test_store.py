"""The store trusts nothing it did not check: each artifact's files carry their size and digest in its record,
and a damaged artifact is re-made with the reason "damaged" (issue: a verified cache)."""

from __future__ import annotations

import json
from pathlib import Path

from filmcrew.engine import store as store_mod
from filmcrew.engine.executor import execute, plan
from filmcrew.engine.graph import ProviderId, Task
from filmcrew.engine.store import Store


def chain(calls: list[str], big: int = 0) -> tuple[Task, Task]:
    """A voice-like task (a small WAV-sized file and, optionally, a big one) and a task made from it."""
    def make_voice(ctx):
        calls.append("voice")
        (Path(ctx.workdir) / "line.wav").write_bytes(bytes(range(256)) * 40)
        if big:
            (Path(ctx.workdir) / "sub").mkdir()
            (Path(ctx.workdir) / "sub" / "clip.mp4").write_bytes(b"\x01" * big)
        return {"made_by": "test", "digital_source_type": "algorithmicMedia"}

    def make_mix(ctx):
        calls.append("mix")
        data = (Path(ctx.inputs["voice"]) / "line.wav").read_bytes()
        (Path(ctx.workdir) / "mix.wav").write_bytes(data[::-1])
        return {}

    pid = ProviderId("test", "1")
    voice = Task("voice", "ep01-s01-l01.voice", "v1", pid, {"text": "hello"}, make_voice)
    mix = Task("finisher", "ep01.mix", "m1", pid, {}, make_mix, inputs={"voice": voice})
    return voice, mix


def test_the_record_carries_every_file_with_its_size_and_digest(tmp_path):
    st = Store(tmp_path / ".filmcrew")
    voice, mix = chain([], big=1000)
    execute(st, [mix])
    files = st.record(voice.key)["files"]
    assert set(files) == {"line.wav", "sub/clip.mp4"}
    assert files["line.wav"]["size"] == 10240
    assert files["line.wav"]["sha256"] == store_mod.sha256(st.path(voice.key) / "line.wav")
    assert st.damage(voice.key) is None and st.damage(mix.key, full=True) is None
    assert plan(st, [mix]) == []


def test_a_truncated_file_is_remade_with_the_reason_and_nothing_else_is(tmp_path):
    st = Store(tmp_path / ".filmcrew")
    calls: list[str] = []
    voice, mix = chain(calls)
    execute(st, [mix])
    wav = st.path(voice.key) / "line.wav"
    wav.write_bytes(wav.read_bytes()[:100])
    items = plan(st, [mix])
    assert [(i.task.artifact, i.reason) for i in items] == [
        ("ep01-s01-l01.voice", "damaged (line.wav is 100 bytes, its record says 10240)")]
    calls.clear()
    report = execute(st, [mix])
    assert calls == ["voice"] and report.ran == ["ep01-s01-l01.voice"]  # the mix was made from the sound file
    assert wav.stat().st_size == 10240 and st.damage(voice.key) is None
    assert plan(st, [mix]) == []


def test_a_flipped_byte_is_found_by_its_digest(tmp_path):
    st = Store(tmp_path / ".filmcrew")
    voice, mix = chain([])
    execute(st, [mix])
    wav = st.path(voice.key) / "line.wav"
    data = bytearray(wav.read_bytes())
    data[5000] ^= 0xFF
    wav.write_bytes(bytes(data))
    assert st.damage(voice.key) == "line.wav does not match its recorded SHA-256"
    assert [i.reason for i in plan(st, [mix])] == ["damaged (line.wav does not match its recorded SHA-256)"]


def test_a_big_file_is_checked_by_size_in_a_make_and_by_digest_when_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(store_mod, "CHEAP_DIGEST", 4096)
    st = Store(tmp_path / ".filmcrew")
    calls: list[str] = []
    voice, mix = chain(calls, big=10000)
    execute(st, [mix])
    clip = st.path(voice.key) / "sub" / "clip.mp4"
    clip.write_bytes(b"\x02" * 10000)  # same size, other bytes
    assert st.damage(voice.key) is None  # the cheap check cannot see it
    why = st.damage(voice.key, full=True)
    assert why == "sub/clip.mp4 does not match its recorded SHA-256"
    st.mark_damaged(voice.key, why)  # what `filmcrew verify` does
    assert [i.reason for i in plan(st, [mix])] == [f"damaged ({why})"]
    calls.clear()
    execute(st, [mix])
    assert calls == ["voice"] and clip.read_bytes() == b"\x01" * 10000
    assert st.damage(voice.key, full=True) is None and plan(st, [mix]) == []


def test_a_broken_record_names_the_folder_and_is_remade(tmp_path):
    st = Store(tmp_path / ".filmcrew")
    calls: list[str] = []
    voice, mix = chain(calls)
    execute(st, [mix])
    rec = st.path(voice.key) / "record.json"
    rec.write_text('{"artifact": "ep01-s01-l01.vo')
    (reason,) = [i.reason for i in plan(st, [mix])]
    assert reason.startswith(f"damaged ({rec} is unreadable (JSONDecodeError)")
    assert str(st.path(voice.key)) in reason
    calls.clear()
    execute(st, [mix])
    assert calls == ["voice"] and json.loads(rec.read_text())["artifact"] == "ep01-s01-l01.voice"


def test_a_missing_file_is_damage_and_a_record_without_digests_is_trusted(tmp_path):
    st = Store(tmp_path / ".filmcrew")
    voice, mix = chain([])
    execute(st, [mix])
    (st.path(mix.key) / "mix.wav").unlink()
    assert st.damage(mix.key) == "mix.wav is missing"
    rec = json.loads((st.path(voice.key) / "record.json").read_text())
    del rec["files"]  # made by a filmcrew from before records carried digests
    (st.path(voice.key) / "record.json").write_text(json.dumps(rec))
    assert st.damage(voice.key, full=True) is None
