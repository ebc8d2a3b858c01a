"""`filmcrew mcp`: the agents' face, a Model Context Protocol server on the official SDK (`mcp`, the [mcp] extra).

Tools answer structured content and a short text summary; read-only tools are annotated read-only, and the only
tools that can start paid work are `make` and `retake_shot`, each only under the confirm token of a plan that
covers it (confirm.py). Errors are the project's own messages (FilmcrewError), never a traceback; the projects
folder's path and the environment's keys are taken out of every answer (folder.Projects.clean).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

try:
    import anyio
    from mcp.server.mcpserver import Context, MCPServer
    from mcp.server.mcpserver.exceptions import ResourceError, ToolError
    from mcp.types import CallToolResult, ImageContent, TextContent, ToolAnnotations
    from pydantic import Field
except ImportError as _missing:  # the [mcp] extra is not installed
    from ..errors import ConfigError
    raise ConfigError("filmcrew mcp needs the Model Context Protocol SDK: pip install 'filmcrew[mcp]'") from _missing

from .. import __version__, ledger
from ..errors import FilmcrewError, describe_os_error
from . import actions, board, making, resources, story
from . import confirm as confirming
from .folder import Projects

READ = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)
EDIT = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False)
PAID = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)

INSTRUCTIONS = """filmcrew makes films from a premise: premise -> screenplay -> storyboard -> shots, voices, music ->
subtitles -> a finished, labelled MP4. Offline by default (free); vendor models (image, video) cost money.
The usual session: new_project -> write (a job) -> read_screenplay / edit_screenplay -> plan -> make (a job;
preview first) -> job_status (wait_seconds to follow it with progress) -> storyboard -> check.
Money: plan shows every paid job and its cost, with a `confirm` token; make and retake_shot send paid work only
with that token, and never more than the plan showed. Show the cost to the person before confirming.
A make re-makes only what changed; a killed make resumes and never pays twice."""

Project = Annotated[str, Field(description="the project's name: a folder inside the projects folder (list_projects)")]
Preview = Annotated[bool, Field(description="the half-size, fast preview (true) or the full-size film (false)")]
Episode = Annotated[int, Field(ge=1, le=99, description="the episode's number (1 for a short)")]
Wait = Annotated[float, Field(ge=0, le=600, description="seconds to wait for the job, reporting progress, before "
                                                        "answering (0: answer at once)")]


def _sum(d: dict | None) -> str:
    return ", ".join(f"{v:.3f} {k}" for k, v in sorted((d or {}).items()))


def money(cost: dict | None) -> str:
    if not cost:
        return ""
    worst = _sum(cost.get("retakes_at_most"))
    return (f"cost: estimated {_sum(cost.get('estimated')) or 'nothing'}"
            + (f" (retakes, only where a take fails the consistency check: at most {worst} more)" if worst else "")
            + f"; spent so far {_sum(cost.get('spent')) or 'nothing'}")


def note(changes: dict) -> str:
    return ", ".join(f"{k}: {v or 'the project’s'}" for k, v in changes.items())


def build(base, env: dict) -> MCPServer:
    """The server for the projects in `base`; `env` is what the makes it starts run with (the keys they need)."""
    projects = Projects(base, env)
    server = MCPServer("filmcrew", title="filmcrew: a film crew for agents", version=__version__,
                       instructions=INSTRUCTIONS, log_level="WARNING")

    def clean(obj: Any) -> Any:
        if isinstance(obj, str):
            return projects.clean(obj)
        if isinstance(obj, dict):
            return {str(k): clean(v) for k, v in ledger.scrub(obj).items()}
        if isinstance(obj, (list, tuple)):
            return [clean(v) for v in obj]
        return obj

    def reply(data: dict, summary: str, pictures: list | tuple = ()) -> CallToolResult:
        content = [TextContent(type="text", text=projects.clean(summary))]
        content += [ImageContent(type="image", data=board.b64(p), mime_type="image/jpeg") for p in pictures]
        return CallToolResult(content=content, structured_content=clean(data))

    def guarded(fn):
        try:
            return fn()
        except FilmcrewError as err:
            raise ToolError(projects.clean(str(err))) from None
        except OSError as err:
            raise ToolError(projects.clean(describe_os_error(err))) from None

    async def in_thread(fn):
        return await anyio.to_thread.run_sync(lambda: guarded(fn))

    def tool(name: str, title: str, annotations: ToolAnnotations):
        def add(fn):
            server.add_tool(fn, name=name, title=title, description=fn.__doc__, annotations=annotations,
                            structured_output=False)
            return fn
        return add

    async def follow(root, job_id: str, wait: float, ctx: Context | None) -> dict:
        """The job's status, after waiting up to `wait` seconds for it to end, reporting progress meanwhile."""
        deadline = time.monotonic() + wait
        sent = -1.0
        while True:
            s = await in_thread(lambda: making.status(root, job_id, projects.clean))
            p = s.get("progress") or {}
            done, total = p.get("done") or 0, p.get("total")
            if s["state"] != "running" and s["state"] == "finished" and total:
                done = total
            if ctx is not None and done > sent and wait > 0:
                sent = done
                jobs_out = [j for j in p.get("remote", []) if j.get("state") in ("submitting", "submitted")]
                await ctx.report_progress(done, total, f"{s['state']}: {done}/{total or '?'} tasks"
                                          + (f"; {len(jobs_out)} remote job(s) at the vendor" if jobs_out else ""))
            if s["state"] != "running" or time.monotonic() >= deadline:
                return s
            await anyio.sleep(0.5)

    def job_summary(s: dict) -> str:
        p = s.get("progress") or {}
        head = f"job {s['job']} ({s['command']}): {s['state']}"
        if p.get("total"):
            head += f", {p.get('done') or 0}/{p['total']} tasks"
        if s.get("error"):
            head += f"; {s['error']}"
        if s.get("films"):
            head += f"; films: {', '.join(s['films'])}"
        if s.get("cost"):
            head += f"; {money(s['cost'])}"
        return head

    # ---- projects and story ---------------------------------------------------------------------------------

    @tool("list_projects", "List the projects", READ)
    def list_projects() -> CallToolResult:
        """The projects in the projects folder: premise, form, length, whether the story is written, the films made,
        a running job."""
        data = guarded(lambda: actions.list_projects(projects))
        names = ", ".join(r["name"] for r in data["projects"]) or "none yet (new_project makes one)"
        return reply(data, f"{len(data['projects'])} project(s): {names}")

    @tool("new_project", "Create a project", WRITE)
    def new_project(name: Annotated[str, Field(description="the new project's folder name (letters, digits, . _ -)")],
                    premise: Annotated[str, Field(min_length=3, max_length=2000, description="the story in one sentence")],
                    format: Annotated[str, Field(description="short or series")] = "short",
                    episodes: Annotated[int, Field(ge=1, le=99)] = 1,
                    minutes: Annotated[float, Field(ge=0.25, le=30, description="each episode's length")] = 1.5,
                    aspect: Annotated[str, Field(description="9:16, 16:9, 1:1 ...")] = "9:16",
                    language: Annotated[str, Field(description="en, zh or fr")] = "en",
                    style: str = "storybook", seed: int = 1,
                    providers: Annotated[dict[str, str] | None, Field(
                        description="role -> provider (e.g. {\"animator\": \"kling\"}); the offline crew by default. "
                                    "A vendor's settings and key are set by a person in filmcrew.toml")] = None
                    ) -> CallToolResult:
        """Create a project folder (filmcrew.toml) as `filmcrew new` does. Free; nothing is written over."""
        data = guarded(lambda: actions.new_project(projects, name, premise, format, episodes, minutes, aspect,
                                                   language, style, seed, providers))
        return reply(data, f"created {name}: {data['format']}, {data['episodes']} episode(s) of {data['minutes']:g} min, "
                           f"{data['aspect']}, {data['language']}; next: write")

    @tool("write", "Write the screenplay and bible (a job)", WRITE)
    async def write(project: Project, force: Annotated[bool, Field(
                        description="rewrite story files that exist (a person's edits are lost)")] = False,
                    wait_seconds: Wait = 0, ctx: Context | None = None) -> CallToolResult:
        """Write story/bible.yaml and the episodes' screenplays from the premise (only missing files unless force),
        as `filmcrew write` in a job of its own; answers at once with the job's id (job_status follows it). Uses the
        offline writer or a model on this machine; free."""
        root = guarded(lambda: projects.root(project))
        data = await in_thread(lambda: making.write(root, env, force))
        if wait_seconds:
            data = {**data, **(await follow(root, data["job"], wait_seconds, ctx))}
        return reply(data, f"job {data['job']}: {data['command']} ({data['state']})")

    @tool("read_screenplay", "Read an episode's screenplay", READ)
    def read_screenplay(project: Project, episode: Episode = 1) -> CallToolResult:
        """An episode's Fountain screenplay: its text, its version (pass it to edit_screenplay), its shots and lines
        with their ids, and the problems `filmcrew script check` finds."""
        data = guarded(lambda: story.read_screenplay(projects.root(project), episode))
        return reply(data, f"{data['file']}: {len(data['shots'])} shots, "
                           f"{sum(len(s['lines']) for s in data['shots'])} lines, about "
                           f"{(data['runtime_seconds'] or 0):.0f} s; {len(data['problems'])} problem(s); "
                           f"version {data['version'][:12]}")

    @tool("edit_screenplay", "Edit the screenplay", EDIT)
    def edit_screenplay(project: Project, version: Annotated[str, Field(
                            description="the version read_screenplay answered (a save over a newer file is refused)")],
                        episode: Episode = 1,
                        text: Annotated[str | None, Field(description="the episode's whole new Fountain text")] = None,
                        shot: Annotated[str | None, Field(description="a shot id, with `action`")] = None,
                        action: Annotated[str | None, Field(description="the shot's new action (what we see)")] = None,
                        line: Annotated[str | None, Field(description="a line id, with `words`")] = None,
                        words: Annotated[str | None, Field(description="the line's new words")] = None
                        ) -> CallToolResult:
        """Change the screenplay as a text editor would: the whole episode, or one shot's action, or one line's
        words. Refused when the file changed since `version`, when the result has problems, or while a make runs.
        Free: the next make re-makes only what depends on the change."""
        data = guarded(lambda: story.edit_screenplay(projects.root(project), episode, version, text, shot, action,
                                                     line, words))
        return reply(data, f"{data['file']}: changed {data['changed']}; new version {data['version'][:12]}")

    @tool("read_bible", "Read the story bible", READ)
    def read_bible(project: Project) -> CallToolResult:
        """story/bible.yaml: title, logline, world, visual style, the characters (look, palette, costume, voice), the
        episode arcs; with its version (for edit_character)."""
        data = guarded(lambda: story.read_bible(projects.root(project)))
        b = data["bible"]
        return reply(data, f"{b['title']}: {len(b['characters'])} character(s) "
                           f"({', '.join(c['name'] for c in b['characters'])}); version {data['version'][:12]}")

    @tool("edit_character", "Change a character in the bible", EDIT)
    def edit_character(project: Project, character: Annotated[str, Field(description="the character's name")],
                       changes: Annotated[dict[str, Any], Field(
                           description="any of role, description, want, flaw, look (a mapping), palette (a list of "
                                       "colours), costume, voice (a mapping)")],
                       version: Annotated[str, Field(description="the version read_bible answered")]) -> CallToolResult:
        """Change one character of story/bible.yaml, checked as the bible is checked; refused on a stale version or
        while a make runs. Free: the next make re-makes that character's reference and the shots that show them."""
        data = guarded(lambda: story.edit_character(projects.root(project), character, changes, version))
        return reply(data, f"{data['character']}: changed {', '.join(data['changed'])}; new version {data['version'][:12]}")

    # ---- plan, make, jobs ---------------------------------------------------------------------------------

    @tool("plan", "Plan a make and its cost", READ)
    def plan(project: Project, preview: Preview = True,
             episode: Annotated[int | None, Field(ge=1, le=99, description="one episode (default: all)")] = None
             ) -> CallToolResult:
        """What a make would (re)make and why, the notes `filmcrew plan` gives, and the cost: every paid job with
        its estimate in its vendor's currency, what was spent before, the budget. When it holds paid jobs it answers
        a `confirm` token valid for exactly this plan (recorded in the project; nothing else changes): show the cost
        to the person, then pass the token to make."""
        root = guarded(lambda: projects.root(project))
        q = guarded(lambda: confirming.quote(root, env, preview, episode))
        data = {**q, "items": q["items"][:300], "items_total": len(q["items"]), "project": project}
        kind = "preview" if preview else "full-size film"
        if q.get("story_missing"):
            return reply(data, f"plan for {project}: the story is not written yet; call write first")
        head = (f"plan for the {kind} of {project}: {len(q['items'])} artifact(s) to make"
                + (f" ({', '.join(f'{v} {k}' for k, v in list(q['by_reason'].items())[:8])})" if q["items"] else
                   " (every artifact is up to date)"))
        pay = (f"; {confirming.firsts(q)} paid job(s): {money(q['cost'])}; confirm token {q['confirm']} (pass it to make)"
               if q["paid_jobs"] else "; no paid job: make needs no confirm token")
        return reply(data, head + pay)

    @tool("make", "Make the film (a job; paid only with a confirm token)", PAID)
    async def make(project: Project, preview: Preview = True,
                   episode: Annotated[int | None, Field(ge=1, le=99, description="one episode (default: all)")] = None,
                   confirm: Annotated[str | None, Field(
                       description="the confirm token of a plan that covers this make's paid jobs "
                                                    "(needed only when it sends paid jobs)")] = None,
                   wait_seconds: Wait = 0, ctx: Context | None = None) -> CallToolResult:
        """Make the film (preview or full size) as `filmcrew make` does, in a job of its own (it survives this
        server), under the project's make lock; answers at once with the job's id. PAID WORK: a make that would send
        a paid job to a vendor starts only with the `confirm` token of a plan whose cost it does not exceed (plan
        answers it); else it is refused with the cost and how to confirm. Offline makes are free and need no token.
        Only what changed is re-made; jobs sent before are resumed, never paid twice. The project's budget applies."""
        root = guarded(lambda: projects.root(project))
        data = await in_thread(lambda: making.make(root, env, preview, episode, confirm))
        if wait_seconds:
            data = {**data, "status": await follow(root, data["job"], wait_seconds, ctx)}
        return reply(data, f"job {data['job']}: {data['command']} started; {data['to_make']} artifact(s) to make; "
                           f"{money(data['cost'])}"
                           + (f"; now {data['status']['state']}" if "status" in data else ""))

    @tool("job_status", "Follow a job", READ)
    async def job_status(project: Project,
                         job: Annotated[str | None, Field(description="the job's id (none: the project's jobs)")] = None,
                         wait_seconds: Wait = 0, ctx: Context | None = None) -> CallToolResult:
        """A job's state (running, finished, failed, cancelled, lost), its progress per task and per remote job (from
        the make's events), the end of its log, the films it made, and its cost (estimated, spent, spent by this
        job). With wait_seconds, waits for it to end and reports MCP progress notifications meanwhile. Jobs are kept
        in the project: a restarted server sees the same job."""
        root = guarded(lambda: projects.root(project))
        if not job:
            data = await in_thread(lambda: making.status(root, None, projects.clean))
            return reply(data, f"{len(data['jobs'])} job(s): " + ", ".join(f"{j['job']} {j['state']}" for j in data["jobs"]))
        data = await follow(root, job, wait_seconds, ctx)
        return reply(data, job_summary(data))

    @tool("cancel", "Stop a job", EDIT)
    def cancel(project: Project, job: Annotated[str, Field(description="the job's id")]) -> CallToolResult:
        """Stop a running job as Ctrl-C would: what was finished is kept, remote jobs already sent stay in the
        journal (the next make resumes them, paying nothing twice)."""
        data = guarded(lambda: making.cancel(projects.root(project), job))
        return reply(data, f"job {job}: {'cancelled' if data['cancelled'] else 'was not running'} ({data['state']})")

    # ---- shots ---------------------------------------------------------------------------------------------

    @tool("storyboard", "See the storyboard", READ)
    def storyboard(project: Project, episode: Episode = 1, preview: Preview = True,
                   shots: Annotated[list[str] | None, Field(description="only these shot ids")] = None,
                   pictures: Annotated[bool, Field(description="each made keyframe as a small JPEG")] = True
                   ) -> CallToolResult:
        """Each shot of an episode: its action and lines, its state (fresh, to make and why, running), who draws and
        animates it, what it cost, its takes' consistency scores (and whether the chosen take fails), its remote
        jobs; and its keyframe as a small picture (at most 24)."""
        root = guarded(lambda: projects.root(project))
        cards, pics, notes = guarded(lambda: board.cards(root, env, episode, preview, shots))
        order = [c["id"] for c in cards if c["id"] in pics][:24] if pictures else []
        fresh = sum(c["state"] == "fresh" for c in cards)
        failing = [c["id"] for c in cards if c["fails_consistency"]]
        spent: dict = {}
        for c in cards:
            for cur, v in c["cost"].items():
                spent[cur] = round(spent.get(cur, 0.0) + v, 4)
        data = {"project": project, "episode": episode, "preview": preview, "shots": cards, "notes": notes,
                "pictures": order, "cost": {"spent": spent}}
        lines = [f"{len(cards)} shot(s), {fresh} fresh" + (f"; failing the consistency check: {', '.join(failing)}"
                                                            if failing else "")]
        lines += [f"{c['id']}: {c['state']}, {c['illustrator']}/{c['animator']}, {c['action'][:60]}" for c in cards[:40]]
        lines += [f"(pictures, in order: {', '.join(order)})"] if order else []
        return reply(data, "\n".join(lines), [pics[k] for k in order])

    @tool("retake_shot", "Retake a shot (paid only with a confirm token)", PAID)
    async def retake_shot(project: Project, shot: Annotated[str, Field(description="the shot's id")],
                          preview: Preview = True,
                          illustrator: Annotated[str | None, Field(
                              description="another provider draws this shot (\"\": the project's again)")] = None,
                          animator: Annotated[str | None, Field(
                              description="another provider animates this shot (\"\": the project's again)")] = None,
                          confirm: Annotated[str | None, Field(
                              description="the token this tool answered (or plan's)")] = None,
                          wait_seconds: Wait = 0, ctx: Context | None = None) -> CallToolResult:
        """Make a shot again: another seed for the models that make it, or another illustrator or animator for it
        (written in the shot's [[shot: ...]] note), then a make of the episode. PAID WORK: when the retake sends a
        paid job, the first call writes the change and answers its cost and a `confirm` token without sending
        anything; call again with that token to start it. A retake with nothing to pay starts at once."""
        root = guarded(lambda: projects.root(project))
        data = await in_thread(lambda: making.retake(root, env, shot, preview, illustrator, animator, confirm))
        if data.get("started") and wait_seconds:
            data = {**data, "status": await follow(root, data["job"], wait_seconds, ctx)}
        if not data.get("started"):
            firsts = len([j for j in data["paid_jobs"] if j["role"] != "consistency"])
            return reply(data, f"{shot}: {note(data['note'])} written in its note; nothing sent. The retake would send "
                               f"{firsts} paid job(s): {money(data['cost'])}. Call again with confirm={data['confirm']}")
        return reply(data, f"{shot}: {note(data['note'])}; job {data['job']} started; {money(data['cost'])}")

    @tool("use_take", "Choose a shot's take", WRITE)
    def use_take(project: Project, shot: Annotated[str, Field(description="the shot's id")],
                 take: Annotated[int, Field(ge=0, description="the take's number (storyboard lists them)")],
                 preview: Preview = True) -> CallToolResult:
        """Pin one of a shot's takes (takes/picks.toml, as `filmcrew take --use` does): the next make uses it and is
        never retaken. Free: the takes already made are reused."""
        data = guarded(lambda: board.use_take(projects.root(project), env, shot, take, preview))
        return reply(data, f"{shot}: take {take} pinned in {data['file']}; make uses it")

    # ---- checking and hand-off -----------------------------------------------------------------------------

    @tool("check", "Check a film against a contest", READ)
    def check(project: Project, episode: Episode = 1, preview: Preview = True,
              contest: Annotated[str, Field(description="a profile: delivery, iqiyi-2025, runway-aiff, "
                                                        "project-odyssey, douyin, youtube-shorts")] = "delivery",
              decode: Annotated[bool, Field(description="decode every frame (slower, sure)")] = True) -> CallToolResult:
        """`filmcrew check` of a made film against a contest's or platform's rules: each rule, passed or not, with what
        was measured (duration, AI share, visible label, AIGC tag, content credentials, codec, loudness, ...)."""
        data = guarded(lambda: actions.check(projects.root(project), episode, preview, contest, decode))
        bad = [f"{c['check']} ({c['detail']})" for c in data["checks"] if c["required"] and c["status"] != "pass"]
        return reply(data, f"{data['film']} against {data['profile']}: " + ("PASSED" if data["passed"] else
                                                                          "FAILED: " + "; ".join(bad)))

    @tool("disclose", "Write the AI-use disclosure", WRITE)
    def disclose(project: Project) -> CallToolResult:
        """Write out/disclosure.md and .json (as `filmcrew disclose`): the tools, models and seeds, the human work,
        the AI share and what the film cost."""
        data = guarded(lambda: actions.disclose(projects.root(project)))
        from ..provenance.share import summary
        shares = "; ".join(f"{e['episode']}: {summary(e['ai_share'])}" for e in data["episodes"] if e.get("ai_share"))
        return reply(data, f"wrote {', '.join(data['files'])}; {money(data['cost'])}" + (f"; {shares}" if shares else ""))

    @tool("export", "Export for an editor", WRITE)
    def export(project: Project, preview: Preview = True,
               episode: Annotated[int | None, Field(ge=1, le=99)] = None,
               formats: Annotated[list[str] | None, Field(
                   description="otio, fcp7, fcpx, edl, fountain, stems, jianying (default: all but jianying)")] = None
               ) -> CallToolResult:
        """Hand the cut to editing software, as `filmcrew export` does: OTIO, FCP 7 XML, FCPXML, EDL, the Fountain
        screenplay, WAV stems (and a JianYing draft), into out/."""
        data = guarded(lambda: actions.export(projects.root(project), env, episode, preview, formats))
        return reply(data, f"wrote {len(data['files'])} file(s): {', '.join(data['files'][:8])}"
                           + (" ..." if len(data["files"]) > 8 else ""))

    @tool("dub_line", "Dub a line with a person's take", WRITE)
    def dub_line(project: Project, line: Annotated[str, Field(description="the line's id, e.g. ep01-s02-l03")],
                 file: Annotated[str, Field(description="the take: a WAV, MP3, M4A or FLAC file inside the project, "
                                                        "named relative to it (e.g. takes/incoming/l03.wav)")]
                 ) -> CallToolResult:
        """A person's recording replaces a line's synthetic voice (checked: not silent, not clipped, not far too long),
        as `filmcrew dub` does. Free: the next make re-makes that voice, the subtitles and the mix."""
        data = guarded(lambda: actions.dub_line(projects, projects.root(project), line, file))
        return reply(data, f"{line}: {data['take']} ({data['seconds']:.1f} s); {data['fit']}; make uses it")

    resources.register(server, projects, env, ResourceError)
    resources.prompts(server)
    return server


def run_stdio(server: MCPServer) -> None:
    anyio.run(server.run_stdio_async)


class Bearer:
    """ASGI: every HTTP request must name this machine (Host: 127.0.0.1 or localhost, at the port served; a page
    elsewhere cannot reach the server through a DNS name it re-points here) and carry the bearer token; else it is
    refused (421, 401) before the MCP transport sees it. The SDK's own Host and Origin check stands behind it."""

    def __init__(self, app, token: str, port: int):
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.hosts = {f"127.0.0.1:{port}".encode(), f"localhost:{port}".encode()}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        import hmac
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        if headers.get(b"host", b"").lower() not in self.hosts:
            return await self._refuse(send, 421, "this server answers only requests addressed to 127.0.0.1 or localhost "
                                                 "at its port")
        if not hmac.compare_digest(headers.get(b"authorization", b""), self.expected):
            return await self._refuse(send, 401, "missing or wrong bearer token: send the header Authorization: Bearer "
                                                 "TOKEN that `filmcrew mcp --http` printed when it started",
                                      [(b"www-authenticate", b'Bearer realm="filmcrew"')])
        return await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(send, status: int, why: str, extra: list | None = None):
        import json
        body = json.dumps({"error": why}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                *(extra or [])]})
        await send({"type": "http.response.body", "body": body})


def http_app(server: MCPServer, port: int, token: str):
    from mcp.server.transport_security import TransportSecuritySettings
    hosts = [f"127.0.0.1:{port}", f"localhost:{port}"]
    inner = server.streamable_http_app(
        streamable_http_path="/mcp", host="127.0.0.1",
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                                     allowed_origins=[f"http://{h}" for h in hosts]))
    return Bearer(inner, token, port)


def run_http(server: MCPServer, port: int, token: str) -> None:
    import uvicorn
    uvicorn.Server(uvicorn.Config(http_app(server, port, token), host="127.0.0.1", port=port, log_level="warning",
                                  lifespan="on")).run()


__all__ = ["build", "run_stdio", "run_http", "http_app", "Bearer"]
