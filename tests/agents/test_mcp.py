"""`filmcrew mcp` driven by the MCP SDK's own client, the server started as a subprocess (stdio) as an agent's
client starts it: the tools, a film from a premise (new -> write -> plan -> make -> job_status -> check) with
progress notifications, one line edited and only its work re-made, paid video jobs (the fake Kling) refused
without a confirm token or with a cheaper plan's, the server killed during a make and started again (the same job,
nothing paid twice); over Streamable HTTP, the bearer token and the Host check."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest

mcp = pytest.importorskip("mcp", reason="the [mcp] extra is not installed")
from fake_kling import AK, SK, FakeKling  # noqa: E402
from mcp import Client, StdioServerParameters  # noqa: E402

BAKER = "A baker wins back her stolen recipe from a rival before the festival"
TOOLS = {"list_projects", "new_project", "write", "read_screenplay", "edit_screenplay", "read_bible", "edit_character",
         "plan", "make", "job_status", "cancel", "storyboard", "retake_shot", "use_take", "check", "disclose", "export",
         "dub_line"}
KLING = ('\n[providers.kling]\nbase_url = "{url}"\nmodel = "kling-v2-6"\nmode = "std"\naccess_key_env = '
         '"KLING_ACCESS_KEY"\nsecret_key_env = "KLING_SECRET_KEY"\npoll_every = 0.05\n\n[budget]\nmax = 60.0\n'
         'currency = "CNY"\n')


def server_env() -> dict:
    return {**os.environ, "KLING_ACCESS_KEY": AK, "KLING_SECRET_KEY": SK, "PYTHONUNBUFFERED": "1"}


@asynccontextmanager
async def agent(folder: Path, log: list | None = None):
    """A session with `filmcrew mcp FOLDER` over stdio; `call(tool, **args)` answers (text, structured, is_error)
    and records the call in `log` (every answer is also checked for the keys)."""
    params = StdioServerParameters(command=sys.executable, args=["-m", "filmcrew", "mcp", str(folder)], env=server_env())
    async with Client(params, read_timeout_seconds=300) as client:
        async def call(tool, progress=None, **args):
            r = await client.call_tool(tool, args, progress_callback=progress)
            text = "\n".join(c.text for c in r.content if c.type == "text")
            blob = text + json.dumps(r.structured_content or {})
            assert SK not in blob and AK not in blob and "Traceback" not in blob
            if log is not None:
                log.append((tool, args, text))
            return text, r.structured_content or {}, r.is_error
        call.client = client
        yield call


def run(coro_fn, *args):
    return anyio.run(coro_fn, *args)


@pytest.fixture(scope="module")
def kling():
    with FakeKling() as fake:
        yield fake


@pytest.fixture(scope="module")
def made(tmp_path_factory, kling):
    """One project made from a premise through MCP alone (a 0.5-minute preview): the folder, and what happened."""
    folder = tmp_path_factory.mktemp("projects")
    seen: dict = {"log": [], "progress": []}

    async def session():
        async with agent(folder, seen["log"]) as call:
            text, data, err = await call("new_project", name="baker", premise=BAKER, minutes=0.5, seed=7)
            assert not err, text
            text, data, err = await call("write", project="baker", wait_seconds=60)
            assert not err and data["state"] == "finished", text
            text, data, err = await call("plan", project="baker")
            assert not err and data["paid_jobs"] == [] and data["confirm"] is None and data["items_total"] > 20
            seen["plan"] = data
            t0 = time.monotonic()
            text, data, err = await call("make", project="baker")
            assert not err, text
            seen["answered_in"] = time.monotonic() - t0
            seen["job"] = data["job"]

            async def progress(p, total, message):
                seen["progress"].append((p, total, message))
            text, data, err = await call("job_status", progress, project="baker", job=seen["job"], wait_seconds=240)
            assert not err and data["state"] == "finished", text
            seen["status"] = data
            text, data, err = await call("check", project="baker", decode=False)
            assert not err, text
            seen["check"] = data
    run(session)
    return folder, seen


def test_the_tools_are_listed_with_what_they_may_do(tmp_path):
    async def session():
        async with agent(tmp_path) as call:
            tools = {t.name: t for t in (await call.client.list_tools()).tools}
            templates = {t.uri_template for t in (await call.client.list_resource_templates()).resource_templates}
            prompts = {p.name for p in (await call.client.list_prompts()).prompts}
            return tools, templates, prompts
    tools, templates, prompts = run(session)
    assert set(tools) == TOOLS
    for name in ("list_projects", "read_screenplay", "read_bible", "plan", "job_status", "storyboard", "check"):
        assert tools[name].annotations.read_only_hint is True, name
    for name in ("make", "retake_shot"):  # the only tools that may start paid work say so
        assert tools[name].annotations.read_only_hint is False and tools[name].annotations.open_world_hint is True
        assert "PAID" in tools[name].description and "confirm" in tools[name].input_schema["properties"]
    assert not any(tools[n].annotations.open_world_hint for n in TOOLS - {"make", "retake_shot"})
    for name in ("edit_screenplay", "edit_character", "cancel"):
        assert tools[name].annotations.destructive_hint is True
    assert {"filmcrew://{name}/screenplay/{episode}", "filmcrew://{name}/bible", "filmcrew://{name}/plan",
            "filmcrew://{name}/film/{film}", "filmcrew://{name}/subtitles/{film}", "filmcrew://{name}/provenance/{film}",
            "filmcrew://{name}/consistency"} <= templates
    assert prompts == {"make-a-short", "fix-consistency", "make-eligible"}


def test_a_film_from_a_premise_through_mcp_alone(made):
    folder, seen = made
    assert seen["answered_in"] < 15  # make answers at once with a job; the film takes longer
    st = seen["status"]
    assert st["films"] == ["out/ep01.preview.mp4"] and (folder / "baker" / "out" / "ep01.preview.mp4").stat().st_size
    assert st["progress"]["done"] == st["progress"]["total"] == seen["plan"]["items_total"]
    assert st["cost"]["spent"] == {} and st["cost"]["estimated"] == {}
    # progress notifications arrived while the make ran, rising to the whole plan
    done = [p for p, _, _ in seen["progress"]]
    assert len(done) >= 3 and done == sorted(done) and done[-1] == st["progress"]["total"]
    # the job is recorded in the project, for any face to see
    rec = json.loads((folder / "baker" / ".filmcrew" / "mcp" / "jobs" / f"{seen['job']}.json").read_text())
    assert rec["command"] == "filmcrew make baker --preview --jobs 2" and rec["pid"] > 0
    # the check names each rule with what it measured (a preview is Constrained Baseline: it fails `delivery`'s codec)
    checks = {c["check"]: c for c in seen["check"]["checks"]}
    assert checks["video_codec"]["status"] == "fail" and "Baseline" in checks["video_codec"]["detail"]
    assert checks["ai_label"]["status"] == "pass" if "ai_label" in checks else True
    assert seen["check"]["passed"] is False and "video_codec" in seen["check"]["failed"]
    print("\n".join(f"> {tool} {json.dumps(args, ensure_ascii=False)}\n< {text}" for tool, args, text in seen["log"]))


def test_one_line_edited_and_only_its_work_made_again(made):
    folder, _ = made

    async def session():
        async with agent(folder) as call:
            text, sp, err = await call("read_screenplay", project="baker")
            shot = next(s for s in sp["shots"][1:] + sp["shots"] if s["lines"])
            line = {**shot["lines"][0], "shot": shot["id"]}
            text, data, err = await call("edit_screenplay", project="baker", version=sp["version"], line=line["id"],
                                         words="Then take it, and go.")
            assert not err, text
            stale = await call("edit_screenplay", project="baker", version=sp["version"], line=line["id"], words="No.")
            outside = await call("dub_line", project="baker", line=line["id"], file="../../../etc/passwd")
            escape = await call("read_bible", project="..")
            text, plan, err = await call("plan", project="baker")
            text, started, err = await call("make", project="baker")
            text, status, err = await call("job_status", project="baker", job=started["job"], wait_seconds=240)
            again = await call("plan", project="baker")
            board = await call.client.call_tool("storyboard", {"project": "baker", "shots": [line["shot"]]})
            srt = (await call.client.read_resource("filmcrew://baker/subtitles/ep01.preview")).contents[0].text
            try:
                await call.client.read_resource("filmcrew://baker/film/..%2F..%2Fetc%2Fpasswd")
                climbed = True
            except Exception:  # noqa: BLE001 - refused, as it must be
                climbed = False
            return line, stale, outside, escape, plan, status, again, board, srt, climbed
    line, stale, outside, escape, plan, status, again, board, srt, climbed = run(session)
    assert status["state"] == "finished", status
    assert "Then take it, and go." in srt and not climbed
    card = board.structured_content["shots"][0]
    assert card["id"] == line["shot"] and card["state"] == "fresh" and card["lines"][0]["text"] == "Then take it, and go."
    assert [c.type for c in board.content] == ["text", "image"] and board.content[1].mime_type == "image/jpeg"
    assert stale[2] and "changed since" in stale[0]
    assert outside[2] and "outside the project" in outside[0]
    assert escape[2] and "not a project name" in escape[0]
    text = (folder / "baker" / "story" / "ep01.fountain").read_text()
    assert "Then take it, and go." in text and line["text"] not in text
    voices = [i["artifact"] for i in plan["items"] if i["role"] == "voice"]
    assert voices == [f"{line['id']}.voice"]  # that line's voice, and no other
    pictures = [i["artifact"] for i in plan["items"] if i["role"] in ("illustrator", "animator", "reference")]
    assert len(pictures) <= 2 and all(a.startswith(line["shot"]) for a in pictures), pictures  # its shot's, at most
    assert plan["items_total"] < 20, [i["artifact"] for i in plan["items"]]
    assert status["state"] == "finished"
    assert again[1]["items_total"] == 0


def _kling_note(folder: Path, shot_index: int) -> str:
    from filmcrew import pipeline
    from filmcrew.story.screenplay import set_shot_note
    root = folder / "baker"
    _, (ctx,) = pipeline.contexts(root, {}, 1, True)
    sh = ctx.episode.shots()[shot_index]
    ep = root / "story" / "ep01.fountain"
    ep.write_text(set_shot_note(ep.read_text(), sh.source_line, "animator", "kling"))
    return sh.id


def test_paid_video_jobs_only_with_the_confirm_token_of_a_plan_that_covers_them(made, kling):
    folder, _ = made
    toml = folder / "baker" / "filmcrew.toml"
    if "[providers.kling]" not in toml.read_text():  # a person sets the vendor's settings; the key stays in the env
        toml.write_text(toml.read_text() + KLING.format(url=kling.url))
    before = len(kling.submits)

    log: list = []

    async def session():
        async with agent(folder, log) as call:
            sp = (await call("read_screenplay", project="baker"))[1]
            first = sp["shots"][0]["id"]
            asked = await call("retake_shot", project="baker", shot=first, animator="kling")  # writes the note, sends nothing
            cheap = asked[1]["confirm"]
            refused = await call("make", project="baker")  # no token
            second = sp["shots"][2]["id"]
            await call("retake_shot", project="baker", shot=second, animator="kling")
            dearer = await call("plan", project="baker")
            short = await call("make", project="baker", confirm=cheap)  # the token of the cheaper plan
            sent_before_confirm = len(kling.submits)
            text, started, err = await call("make", project="baker", confirm=dearer[1]["confirm"])
            assert not err, text
            text, status, err = await call("job_status", project="baker", job=started["job"], wait_seconds=240)
            return asked, refused, dearer, short, sent_before_confirm, started, status
    asked, refused, dearer, short, sent_before, started, status = run(session)
    print("\n".join(f"> {tool} {json.dumps(args, ensure_ascii=False)}\n< {text}" for tool, args, text in log[1:]))
    assert not asked[2] and asked[1]["started"] is False and asked[1]["cost"]["estimated"]["CNY"] > 0
    assert "confirm" in asked[0] and asked[1]["confirm"].startswith("confirm-")
    assert refused[2] and "paid job(s) estimated at" in refused[0] and "CNY" in refused[0] and "call plan" in refused[0]
    videos = [j for j in dearer[1]["paid_jobs"] if j["role"] == "animator"]  # (and their possible retakes, priced)
    assert len(videos) == 2 and dearer[1]["cost"]["estimated"]["CNY"] > asked[1]["cost"]["estimated"]["CNY"]
    assert short[2] and "more than the plan" in short[0]
    assert sent_before == before  # nothing was sent before the right token
    assert status["state"] == "finished", status
    assert len(kling.submits) == before + 2  # the two confirmed video jobs, once each
    assert status["cost"]["spent_by_this_job"]["CNY"] == pytest.approx(dearer[1]["cost"]["estimated"]["CNY"])
    assert started["cost"]["budget"]["currency"] == "CNY"


def test_the_server_killed_during_a_make_and_started_again_finds_the_job_and_pays_nothing_twice(made, kling):
    folder, _ = made
    toml = folder / "baker" / "filmcrew.toml"
    if "[providers.kling]" not in toml.read_text():
        toml.write_text(toml.read_text() + KLING.format(url=kling.url))
        _kling_note(folder, 0)
    kling.work = 4.0  # the vendor takes 4 s a video: time to kill the server while the job is out
    before = len(kling.submits)
    seen = {}

    async def first():
        async with agent(folder) as call:
            sp = (await call("read_screenplay", project="baker"))[1]
            shot = next(s["id"] for s in sp["shots"] if s.get("animator") == "kling")
            asked = await call("retake_shot", project="baker", shot=shot)  # another seed: one new video job
            assert not asked[2] and asked[1]["started"] is False, asked[0]
            text, started, err = await call("retake_shot", project="baker", shot=shot, confirm=asked[1]["confirm"])
            assert not err and started["started"], text
            seen["job"] = started["job"]
            rec = json.loads((folder / "baker" / ".filmcrew" / "mcp" / "jobs" / f"{started['job']}.json").read_text())
            for _ in range(400):  # until the video job is out at the vendor
                if len(kling.submits) > before:
                    break
                await anyio.sleep(0.05)
            seen["sent"] = len(kling.submits)
            server = int(Path(f"/proc/{rec['pid']}/stat").read_text().rsplit(")", 1)[1].split()[1])  # its parent
            os.kill(server, signal.SIGKILL)
            await anyio.sleep(0.5)
    try:
        run(first)
    except BaseException:  # noqa: BLE001 - the session ends with its server
        pass
    assert seen["sent"] == before + 1

    async def second():
        async with agent(folder) as call:
            listed = await call("job_status", project="baker")
            text, status, err = await call("job_status", project="baker", job=seen["job"], wait_seconds=240)
            again = await call("plan", project="baker")
            return listed, status, again
    listed, status, again = run(second)
    assert seen["job"] in [j["job"] for j in listed[1]["jobs"]]
    assert status["state"] == "finished", status
    assert len(kling.submits) == before + 1  # the job was paid once, by the make that outlived its server
    assert again[1]["paid_jobs"] == [] and again[1]["items_total"] == 0
    kling.work = 0.3


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_streamable_http_needs_the_token_and_this_machines_host(tmp_path):
    import httpx2 as httpx
    from mcp.client.streamable_http import streamable_http_client
    port, token = _port(), "t-" + os.urandom(8).hex()
    proc = subprocess.Popen([sys.executable, "-m", "filmcrew", "mcp", str(tmp_path), "--http", "--port", str(port)],
                            env={**server_env(), "FILMCREW_MCP_TOKEN": token}, stderr=subprocess.PIPE, text=True)
    try:
        banner = proc.stderr.readline() + proc.stderr.readline()
        url = f"http://127.0.0.1:{port}/mcp"
        for _ in range(100):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        hdr = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
        missing = httpx.post(url, json=body, headers=hdr)
        wrong = httpx.post(url, json=body, headers={**hdr, "Authorization": "Bearer nope"})
        foreign = httpx.post(url, json=body, headers={**hdr, "Authorization": f"Bearer {token}",
                                                      "Host": f"evil.example:{port}"})
        assert missing.status_code == 401 and wrong.status_code == 401 and "bearer token" in wrong.json()["error"]
        assert foreign.status_code == 421
        assert token in banner and f"http://127.0.0.1:{port}/mcp" in banner

        async def session():
            async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http:
                async with Client(streamable_http_client(url, http_client=http)) as client:
                    return {t.name for t in (await client.list_tools()).tools}
        assert run(session) == TOOLS
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def test_without_the_sdk_the_command_says_which_extra_to_install(tmp_path):
    code = ("import sys; sys.modules['mcp'] = None\nfrom filmcrew.cli import main\n"
            f"sys.exit(main(['mcp', {str(tmp_path)!r}]))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "pip install 'filmcrew[mcp]'" in p.stderr and "Traceback" not in p.stderr
