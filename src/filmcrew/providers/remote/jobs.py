"""The one job layer every remote vendor goes through: submit, poll, map the status, fetch, verify.

A vendor adapter (`Adapter`) is a small table plus the few lines that differ: how to submit, how to read a
status, where the result is. Everything that must be right for every vendor lives here:

- **The journal** (engine/jobs.py, re-exported here for the adapters). Each job is written to `.filmcrew/jobs/KEY.json` (KEY: the task's content key, so one job
  per thing to make) before its request is sent ("prepared"), again when the request's first byte is about to
  leave this machine ("submitting": from here on it may have reached the vendor and counts as spent), with the
  vendor's job id as soon as it answers ("submitted"), and when its result is safely on disk ("fetched"). A
  make killed at any moment and run again resumes the same job and never submits it again; a fetched result is
  never fetched or paid again; a job that failed before its request left (no key, the host unreachable) is
  forgotten and cost nothing. A request already sent under another key (the same artifact, seed, vendor and
  request content, `request_digest`: filmcrew's keys changed, the request did not) is not sent again: a fetched
  job's result is journaled under the new key at no cost; a job still out (on its way, or its answer lost) moves
  to the new key and is followed, or asked about, as its own. A retake is another artifact, so it is sent; a job
  a person forgets (`filmcrew jobs --forget`) or a shot given a new seed (the studio's "ask again") is sent afresh.
- **A lost answer is never sent again on its own.** A submit whose answer was lost (no answer in time, the
  connection dropped, an answer cut off or not JSON; `http.Unsure`) or whose make was killed may have been
  billed. A vendor that lets filmcrew choose the job id (ComfyUI's prompt_id) is asked for it at once; for one
  that does not, the make stops naming the cause, and `filmcrew jobs PROJECT` lists the job with its price,
  `--resend KEY` allows it to be sent again and `--forget KEY` says it was not billed.
- **Results are verified before they count**: empty, undecodable or of the wrong kind (an image where a video
  was asked for). One the vendor answered in its reply is a failed job. One downloaded from the link of a job the
  vendor says is done (and billed) is not: the job is kept, and the next make fetches its result again without
  sending it again (`filmcrew jobs PROJECT --forget KEY` sends it afresh, a second payment a person chose).
  Results are copied at once (vendors' result links expire within hours).
- **Failures**: busy answers back off (see `providers/http.py`); a refusal by the vendor's moderation is final
  for that request: the same request (the same key) is refused again without being sent, until the shot, the
  description or the seed changes (a new key), or a person forgets the refusal (`filmcrew jobs --forget`); a
  failed job is submitted afresh by the next make (vendors do not bill failed jobs).
- **Lanes**: each provider holds at most `max_concurrent` jobs at once.
- **Money**: the estimate is journaled with the submit, the vendor's reported cost (tokens, credits) when it
  comes; `spent()` sums what the project may have paid for, for the budget (a lost submit that a person chose
  to send again stays counted, in `lost/`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ...engine import atomic
from ...engine.jobs import (FETCHED, PREPARED, SPENT, SUBMITTED, SUBMITTING, JobTicket, Journal,  # noqa: F401
                            lost_message, price_words, project_of, refused_again)
from ...errors import ConfigError, ProviderError
from .. import http

log = logging.getLogger("filmcrew.jobs")

DONE, PENDING, FAILED, REFUSED = "done", "pending", "failed", "refused"


class RefusedError(ProviderError):
    """The vendor's moderation refused the request: not retried."""


class LostSubmitError(ProviderError):
    """A submit may have reached the vendor but its answer was lost, and the vendor cannot be asked about it."""


@dataclass
class Status:
    state: str  # DONE, PENDING, FAILED, REFUSED
    detail: str = ""  # the vendor's words: its state, its error
    data: bytes | None = None  # an inline result (base64 already decoded)
    url: str = ""  # or where to fetch it
    cost: float | None = None  # what the vendor says it cost, in the price table's currency
    progress: float | None = None  # 0..1 where the vendor says


@dataclass
class Submitted:
    handle: dict  # what poll needs (the vendor's job id, ...), JSON-able, never a key or a signed URL
    status: Status | None = None  # a synchronous vendor answers with the result at once


class Adapter(Protocol):
    name: str
    finds_lost_submits: bool  # True when a job can be looked up by the client id filmcrew chose before submitting

    def submit(self, request: dict, client_id: str) -> Submitted: ...
    def poll(self, handle: dict) -> Status: ...
    def fetch(self, status: Status) -> bytes: ...
    def find(self, client_id: str) -> dict | None: ...  # the handle of a job submitted with client_id, if the vendor has it


@dataclass
class Settings:
    poll_every: float = 2.0  # seconds between polls
    timeout: float = 3600.0  # the longest a job may take, from submit to result (a local ComfyUI video: an hour)
    max_failures: int = 5  # consecutive failed jobs after which a provider stops submitting in this make


class SyncAdapter:
    """The job adapter of a vendor that answers a request with the result itself (OpenAI Images, Seedream,
    MiniMax music):
    the provider's `send(request)` makes the one HTTP request and `read(answer, request)` turns it into a
    `Status`. There is no job id to ask about, so a submit whose answer a kill cut off is not resent
    on its own (`jobs.LostSubmitError`)."""
    finds_lost_submits = False

    def __init__(self, prov):
        self.p = prov
        self.name = prov.name

    def submit(self, request: dict, client_id: str) -> Submitted:
        return Submitted(handle={"sync": True}, status=self.p.read(self.p.send(request), request))

    def poll(self, handle):
        raise ProviderError(f"{self.name}: a synchronous job has nothing to poll")

    def fetch(self, status):
        raise ProviderError(f"{self.name}: a synchronous job has nothing to fetch")

    def find(self, client_id):
        return None



class Remote:
    """What every remote provider keeps of the settings the job layer reads, checked once:
    `[providers.NAME]` max_concurrent, poll_every, job_timeout, max_failures, timeout."""

    def __init__(self, env: dict | None, *, max_concurrent: int, poll_every: float, job_timeout: float,
                 max_failures: int, timeout: float):
        where = f"filmcrew.toml: [providers.{self.name}]"
        for key, v in (("max_concurrent", max_concurrent), ("max_failures", max_failures)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ConfigError(f"{where} {key}: {v!r} must be a whole number of at least 1")
        for key, v in (("poll_every", poll_every), ("job_timeout", job_timeout), ("timeout", timeout)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
                raise ConfigError(f"{where} {key}: {v!r} must be a number of seconds above 0")
        self.env = env or {}
        self.max_concurrent = max_concurrent
        self.timeout = float(timeout)
        self.settings = Settings(poll_every=float(poll_every), timeout=float(job_timeout), max_failures=max_failures)

    def url(self, base_url: str, example: str = "") -> str:
        """`base_url` without its trailing slash; ConfigError naming the setting when it is not an http(s) URL."""
        return http.check_url(self.name, base_url, example)


def download(url: str, who: str, timeout: float) -> bytes:
    """A result from the link a vendor gave (fetched at once: such links expire; never written down)."""
    ans = http.request("GET", url, who=who, timeout=timeout)
    if ans.status != 200:
        raise ProviderError(f"{who}: the result's link answered {ans.status} (it may have expired); the next make "
                            f"asks for the job again and fetches it, without submitting it again")
    return ans.body


_lanes: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_lanes_lock = threading.Lock()
_failures: dict[str, int] = {}  # consecutive failed jobs per provider, in this process


def _failed(provider: str) -> None:
    with _lanes_lock:
        _failures[provider] = _failures.get(provider, 0) + 1


def _succeeded(provider: str) -> None:
    with _lanes_lock:
        _failures[provider] = 0


def lane(provider: str, max_concurrent: int) -> threading.BoundedSemaphore:
    """The concurrency lane of a provider (one per provider name and limit, shared by its instances)."""
    with _lanes_lock:
        return _lanes.setdefault((provider, max_concurrent), threading.BoundedSemaphore(max(1, max_concurrent)))


def verify(data: bytes, kind: str, who: str) -> str:
    """The file extension of a result that is what was asked for; ProviderError for an empty, broken or wrong one."""
    if not data:
        raise ProviderError(f"{who}: the result is empty (0 bytes)")
    if kind == "image":
        import io

        from PIL import Image, UnidentifiedImageError
        try:
            with Image.open(io.BytesIO(data)) as im:
                fmt = (im.format or "").lower()
                im.load()
                if im.width < 8 or im.height < 8:
                    raise ProviderError(f"{who}: the result is a {im.width}x{im.height} image, not a picture")
        except (UnidentifiedImageError, OSError, SyntaxError) as err:
            head = data[:16]
            what = "a video" if b"ftyp" in head else "not an image"
            raise ProviderError(f"{who}: the result is {what} ({len(data)} bytes; {err})") from None
        return {"jpeg": "jpg"}.get(fmt, fmt or "png")
    if kind == "video":
        import tempfile

        from ...errors import MediaError
        from ...media import ffmpeg
        with tempfile.TemporaryDirectory(prefix="filmcrew-verify-") as d:
            p = Path(d) / "result.mp4"
            p.write_bytes(data)
            try:
                probe = ffmpeg.probe(p, count_frames=True)
            except MediaError:
                probe = None
            if probe is None or not probe.video_codec or not getattr(probe, "frames", 0):
                what = "an image" if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" else "not a video"
                raise ProviderError(f"{who}: the result is {what} ({len(data)} bytes)")
        return "mp4"
    if kind == "audio":
        import tempfile

        from ...errors import MediaError
        from ...media import ffmpeg
        with tempfile.TemporaryDirectory(prefix="filmcrew-verify-") as d:
            p = Path(d) / "result.audio"
            p.write_bytes(data)
            try:
                probe = ffmpeg.probe(p)
            except MediaError:
                probe = None
            if probe is None or not probe.audio_codec or probe.video_codec and probe.video_codec not in ("mjpeg", "png"):
                raise ProviderError(f"{who}: the result is not audio ({len(data)} bytes)")
            return {"mp3": "mp3", "pcm_s16le": "wav", "flac": "flac"}.get(probe.audio_codec, "audio")
    raise ValueError(f"unknown result kind {kind!r}")


@dataclass
class Outcome:
    path: Path  # the verified result, in the journal folder
    record: dict = field(default_factory=dict)


def request_digest(ticket: JobTicket, adapter: Adapter, kind: str, request: dict) -> str | None:
    """What identifies a request whatever task key it is sent under: the artifact it makes (a retake is another
    artifact), the task's seed (a person who asks a model again for a shot moves it, and a model without a seed,
    Kling's, is sent the very same request), the vendor, the kind of result and the request itself, files and
    bytes in it by their content. None where the request holds something else (it is then never answered from
    another job)."""
    def content(o):
        if isinstance(o, (bytes, bytearray)):
            return {"sha256": hashlib.sha256(o).hexdigest()}
        if isinstance(o, Path):
            return {"file_sha256": hashlib.sha256(o.read_bytes()).hexdigest()}
        if isinstance(o, (tuple, set, frozenset)):
            return sorted(o) if isinstance(o, (set, frozenset)) else list(o)
        raise TypeError(type(o).__name__)
    try:
        text = json.dumps({"artifact": ticket.label, "seed": ticket.seed, "provider": adapter.name, "kind": kind,
                           "request": request},
                          sort_keys=True, default=content, ensure_ascii=False)
    except (TypeError, ValueError, OSError):
        return None
    return hashlib.sha256(text.encode()).hexdigest()


def _asked_before(journal: Journal, ticket: JobTicket, digest: str | None, who: str) -> Outcome | dict | None:
    """The job that this very request was sent as under another key (a change of filmcrew's keys that leaves the
    request as it was: a shot lip-synced by Kling whose voice became its line's pick), so that it is not sent and
    paid again: its result, where it was fetched, journaled under this key at no cost (an Outcome); where it is
    still out (on its way, or its answer lost), the job itself, moved to this key, the key asking for it now (its
    record: the job layer follows it, or asks the person about a lost answer, as for its own); else None."""
    if digest is None:
        return None
    earlier = journal.asked(digest)
    if earlier is None or earlier == ticket.key:
        return None
    rec = journal.read(earlier)
    state = (rec or {}).get("state")
    if state == FETCHED:
        src = journal.folder / str(rec.get("result", ""))
        if not rec.get("result") or not src.is_file():
            return None
        out = journal.folder / f"{ticket.key}{src.suffix}"
        atomic.link_or_copy(src, out)
        mine = {k: rec.get(k) for k in ("provider", "kind", "estimate", "client_id", "handle", "submitted_at", "bytes")}
        mine = dict(mine, key=ticket.key, label=ticket.label, state=FETCHED, result=out.name, request=digest, actual=0.0,
                    answered_from=earlier, fetched_at=time.time())
        journal.write(ticket.key, mine)
        log.info("%s: the same request was answered before (job %s): its result is used, nothing is sent or paid", who,
                 earlier[:12])
        return Outcome(out, mine)
    if state not in (SUBMITTING, SUBMITTED):
        return None  # never left, failed or refused: nothing to follow, nothing spent
    mine = dict(rec, key=ticket.key, label=ticket.label, moved_from=earlier)
    journal.write(ticket.key, mine)  # (written before the old record goes: a kill between leaves it counted twice,
    journal.forget(earlier)  # never lost)
    journal.remember(digest, ticket.key)
    log.info("%s: the same request was sent before (job %s, %s): that job is followed, nothing is sent again", who,
             earlier[:12], state)
    return mine


def run(ticket: JobTicket, adapter: Adapter, request: dict, *, kind: str, estimate: dict, settings: Settings,
        max_concurrent: int = 1, sleep=time.sleep, clock=time.monotonic) -> Outcome:
    """Make sure the job for `ticket` is done and its result verified on disk; submit it only if it was never
    submitted, and not where the same request (`request_digest`) was sent before under another key.
    Returns the result's path in the journal folder and the job's record."""
    journal = Journal(ticket.journal)
    who = f"{adapter.name} ({ticket.label})"
    rec = journal.read(ticket.key)
    digest = None
    if rec is None:  # never sent under this key: perhaps under the key that asked for the same request before
        digest = request_digest(ticket, adapter, kind, request)
        rec = _asked_before(journal, ticket, digest, who)
        if isinstance(rec, Outcome):
            return rec
    if rec and rec.get("state") == FETCHED:
        p = journal.folder / rec.get("result", "")
        if rec.get("result") and p.is_file():
            return Outcome(p, rec)
        rec = dict(rec, state=SUBMITTED)  # the result file went missing: fetch it again, never submit again
    if rec and rec.get("state") == "refused":
        raise RefusedError(refused_again(journal, ticket.key, rec, who))
    if rec and rec.get("state") in ("failed", PREPARED):
        rec = None  # a failed job is tried afresh (vendors do not bill failed jobs); a prepared one never left
    with lane(adapter.name, max_concurrent):
        if rec and rec.get("state") == SUBMITTING:
            rec = _recover(journal, ticket, adapter, rec, who)
        if rec is None:
            digest = digest or request_digest(ticket, adapter, kind, request)
            if _failures.get(adapter.name, 0) >= settings.max_failures:
                raise ProviderError(f"{who}: not sent: {adapter.name} failed {_failures[adapter.name]} jobs in a row "
                                    f"(max_failures in [providers.{adapter.name}]); look at those failures first, then "
                                    f"run make again")
            rec = _submit(journal, ticket, adapter, request, estimate, kind, who, digest)
            if isinstance(rec, Outcome):
                return rec
        return _follow(journal, ticket, adapter, rec, kind, who, settings, sleep, clock)


def _submit(journal: Journal, ticket: JobTicket, adapter: Adapter, request: dict, estimate: dict, kind: str,
            who: str, digest: str | None = None) -> dict | Outcome:
    """Send the job's request once: journaled "prepared" before, "submitting" when it leaves this machine (the
    HTTP layer says when), "submitted" with the vendor's handle; the journal's record (or the outcome of a
    synchronous vendor's answer)."""
    rec = {"key": ticket.key, "label": ticket.label, "provider": adapter.name, "state": PREPARED,
           "client_id": uuid.uuid4().hex, "estimate": estimate, "kind": kind, "submitted_at": time.time(),
           **({"request": digest} if digest else {})}
    journal.write(ticket.key, rec)  # before the request: a kill from here on is seen by the next make
    state = {"rec": rec}

    def on_wire() -> None:  # the request's first byte is about to leave: from now on it may have been billed
        state["rec"] = dict(state["rec"], state=SUBMITTING, sent_at=time.time())
        journal.write(ticket.key, state["rec"])
        if digest:  # the same request under another key finds this job from now on (_asked_before)
            journal.remember(digest, ticket.key)

    log.info("%s: submitting", who)
    try:
        with http.sending(on_wire):
            sub = adapter.submit(request, rec["client_id"])
            http.announce()  # (an adapter that answered without a request of its own: count it as sent)
    except http.Unsure as err:
        rec = dict(state["rec"], state=SUBMITTING, lost=err.cause)
        journal.write(ticket.key, rec)
        return _lost(journal, ticket, adapter, rec, who)
    except ProviderError as err:
        if state["rec"]["state"] == PREPARED:  # nothing left this machine (no key, unreachable): nothing spent
            journal.forget(ticket.key)
        else:  # the vendor answered no (a bad field, a refused key): not taken, not billed
            journal.write(ticket.key, dict(state["rec"], state="failed", error=str(err)))
        raise
    rec = state["rec"]
    if sub.status is not None:  # a synchronous answer: the journal says "fetched" only once it is on disk
        return _finish(journal, ticket, adapter, dict(rec, handle=sub.handle), sub.status, kind, who)
    rec = dict(rec, state=SUBMITTED, handle=sub.handle)
    journal.write(ticket.key, rec)
    return rec


def _lost(journal: Journal, ticket: JobTicket, adapter: Adapter, rec: dict, who: str) -> dict:
    """A submit's answer was lost in this make: ask the vendor where it can be asked, else stop."""
    if adapter.finds_lost_submits:
        handle = adapter.find(rec["client_id"])
        if handle is not None:
            rec = dict(rec, state=SUBMITTED, handle=handle)
            journal.write(ticket.key, rec)
            return rec
        journal.forget(ticket.key)  # the vendor does not have it: it never arrived, nothing was spent
        raise ProviderError(f"{who}: the submit failed ({rec.get('lost')}) and {adapter.name} never received it; "
                            f"the next make sends it")
    raise LostSubmitError(lost_message(journal, ticket.key, rec, who))


def _recover(journal: Journal, ticket: JobTicket, adapter: Adapter, rec: dict, who: str) -> dict | None:
    """A submit was out when a make stopped or lost its answer: find the job if the vendor can be asked, else stop."""
    if adapter.finds_lost_submits:
        handle = adapter.find(rec["client_id"])
        if handle is None:
            log.info("%s: the interrupted submit never arrived; submitting it now", who)
            return None  # never received: sending it is the first submit
        rec = dict(rec, state=SUBMITTED, handle=handle)
        journal.write(ticket.key, rec)
        return rec
    raise LostSubmitError(lost_message(journal, ticket.key, rec, who))


def _follow(journal, ticket, adapter, rec, kind, who, settings: Settings, sleep, clock) -> Outcome:
    start = clock()
    last = None
    while True:
        st = adapter.poll(rec["handle"])
        if st.state != PENDING:
            return _finish(journal, ticket, adapter, rec, st, kind, who)
        if st.detail != last:
            log.info("%s: %s%s (%.0f s)", who, st.detail or "running",
                     f" {st.progress:.0%}" if st.progress is not None else "", clock() - start)
            last = st.detail
            rec = dict(rec, vendor_state=st.detail or "running", progress=st.progress, polled_at=time.time())
            journal.write(ticket.key, rec)  # what the studio's cards show while the job runs
        if clock() - start > settings.timeout:
            raise ProviderError(f"{who}: the job is still {st.detail or 'running'} after {settings.timeout:g} s (the "
                                f"timeout setting); it is kept in {journal.path(ticket.key)} and the next make goes on "
                                f"waiting for it")
        sleep(settings.poll_every)


def _finish(journal, ticket, adapter, rec, st: Status, kind, who) -> Outcome:
    if st.state in (REFUSED, FAILED):
        _failed(adapter.name)
    if st.state == REFUSED:
        journal.write(ticket.key, dict(rec, state="refused", error=st.detail, refused_at=time.time()))
        raise RefusedError(f"{who}: refused by {adapter.name}'s moderation: {st.detail}; change the shot's action or "
                           f"the character's description (not retried: the same request is not sent again until it changes)")
    if st.state == FAILED:
        journal.write(ticket.key, dict(rec, state="failed", error=st.detail))
        raise ProviderError(f"{who}: the job failed: {st.detail}; the next make submits it again")
    data = st.data if st.data is not None else adapter.fetch(st)
    try:
        ext = verify(data, kind, who)
    except ProviderError as err:
        _failed(adapter.name)
        if st.data is None:  # downloaded from a done job: billed, so kept, and fetched again by the next make
            journal.write(ticket.key, dict(rec, fetch_error=str(err)))
            raise ProviderError(f"{err}; {adapter.name} says the job is done (it is billed), so it is kept: the next "
                                f"make fetches its result again without sending it again (`filmcrew jobs --forget "
                                f"{ticket.key[:12]}` sends it afresh)") from None
        journal.write(ticket.key, dict(rec, state="failed", error=str(err)))
        raise
    _succeeded(adapter.name)
    out = journal.folder / f"{ticket.key}.{ext}"
    atomic.write_bytes(out, data)
    rec = dict(rec, state="fetched", result=out.name, bytes=len(data), fetched_at=time.time(),
               **({"actual": st.cost} if st.cost is not None else {}))
    journal.write(ticket.key, rec)
    log.info("%s: done (%d bytes, %.0f s after it was sent)", who, len(data), time.time() - rec.get("submitted_at", time.time()))
    return Outcome(out, rec)
