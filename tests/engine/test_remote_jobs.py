"""The job layer, with a scripted in-memory vendor: journaled before the submit, resumed after a kill, never
submitted twice, results verified before they count, refusals final, failures retried by the next make."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from filmcrew.errors import ProviderError
from filmcrew.providers import http
from filmcrew.providers.remote import jobs


def png_bytes(size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


class Vendor:
    """An asynchronous vendor: submit gives an id, polls say queued, running, then the result's URL."""
    name = "scripted"

    def __init__(self, ticket, finds=True, states=("queued", "running", "done"), result=None, die_in=None):
        self.ticket, self.finds_lost_submits = ticket, finds
        self.states, self.result = list(states), png_bytes() if result is None else result
        self.submits, self.polls, self.fetches, self.die_in = [], 0, 0, die_in
        self.jobs: dict[str, dict] = {}

    def submit(self, request, client_id):
        rec = json.loads(jobs.Journal(self.ticket.journal).path(self.ticket.key).read_text())
        assert rec["state"] == "prepared" and rec["client_id"] == client_id  # journaled before the request
        http.announce()  # what the HTTP layer does as the request's first byte leaves
        rec = json.loads(jobs.Journal(self.ticket.journal).path(self.ticket.key).read_text())
        assert rec["state"] == "submitting"  # from here on it may have reached the vendor
        self.submits.append(client_id)
        self.jobs[client_id] = {"id": f"task-{len(self.submits)}"}
        if self.die_in == "submit":
            self.die_in = None
            raise KeyboardInterrupt  # the make is killed while the request is out
        return jobs.Submitted(handle=self.jobs[client_id])

    def poll(self, handle):
        self.polls += 1
        if self.die_in == "poll":
            self.die_in = None
            raise KeyboardInterrupt
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        if state == "done":
            return jobs.Status(jobs.DONE, url=f"https://cdn.example/{handle['id']}.png", cost=0.04)
        if state in ("failed", "refused"):
            return jobs.Status(jobs.FAILED if state == "failed" else jobs.REFUSED, detail=f"vendor says {state}")
        return jobs.Status(jobs.PENDING, detail=state)

    def fetch(self, status):
        self.fetches += 1
        if self.die_in == "fetch":
            self.die_in = None
            raise KeyboardInterrupt
        return self.result

    def find(self, client_id):
        return self.jobs.get(client_id)


@pytest.fixture
def ticket(tmp_path):
    return jobs.JobTicket(tmp_path / "jobs", "ab" * 32, "ep01-s01-sh01.keyframe")


def go(ticket, vendor, **kw):
    return jobs.run(ticket, vendor, {"prompt": "x"}, kind="image", estimate={"amount": 0.04, "currency": "USD"},
                    settings=jobs.Settings(poll_every=0.0, timeout=60), sleep=lambda s: None, **kw)


def test_a_job_is_journaled_followed_fetched_and_verified(ticket):
    v = Vendor(ticket)
    out = go(ticket, v)
    assert len(v.submits) == 1 and v.polls == 3 and v.fetches == 1
    assert out.path.read_bytes() == v.result and out.record["state"] == "fetched" and out.record["actual"] == 0.04
    # a second make finds the result: nothing is sent, polled or fetched again
    again = go(ticket, v)
    assert again.path == out.path and len(v.submits) == 1 and v.polls == 3 and v.fetches == 1
    assert jobs.Journal(ticket.journal).spent() == {"USD": 0.04}


@pytest.mark.parametrize("where", ["submit", "poll", "fetch"])
def test_a_kill_anywhere_resumes_the_same_job(ticket, where):
    v = Vendor(ticket, die_in=where)
    with pytest.raises(KeyboardInterrupt):
        go(ticket, v)
    out = go(ticket, v)
    assert len(v.submits) == 1, "submitted twice"
    assert out.path.read_bytes() == v.result


def test_a_lost_submit_to_a_vendor_that_cannot_be_asked_stops_and_says_how_to_resend(ticket):
    v = Vendor(ticket, finds=False, die_in="submit")
    with pytest.raises(KeyboardInterrupt):
        go(ticket, v)
    with pytest.raises(jobs.LostSubmitError, match="the make was stopped.*may have been billed \\(0.040 USD\\).*"
                                                   "filmcrew jobs .* --resend abababababab"):
        go(ticket, v)
    assert len(v.submits) == 1
    journal = jobs.Journal(ticket.journal)
    journal.set_aside(ticket.key)  # the person allows it (filmcrew jobs --resend): it stays counted as spent
    assert journal.spent() == {"USD": pytest.approx(0.04)}
    go(ticket, v)
    assert len(v.submits) == 2 and journal.spent() == {"USD": pytest.approx(0.08)}


def test_a_submit_that_never_arrived_is_sent_once_when_the_vendor_does_not_know_it(ticket):
    v = Vendor(ticket)
    journal = jobs.Journal(ticket.journal)
    journal.write(ticket.key, {"key": ticket.key, "state": "submitting", "client_id": "never-sent", "provider": v.name,
                               "estimate": {"amount": 0.04, "currency": "USD"}})
    go(ticket, v)
    assert len(v.submits) == 1


@pytest.mark.parametrize("result,why", [(b"", "empty"), (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40, "a video"),
                                        (b"<html>expired</html>", "not an image")])
def test_a_downloaded_result_that_is_not_what_was_asked_is_fetched_again_not_sent_again(ticket, result, why):
    v = Vendor(ticket, result=result)
    with pytest.raises(ProviderError, match=f"{why}.*the job is done \\(it is billed\\), so it is kept"):
        go(ticket, v)
    assert json.loads(jobs.Journal(ticket.journal).path(ticket.key).read_text())["state"] == "submitted"
    assert jobs.Journal(ticket.journal).spent() == {"USD": 0.04}  # the vendor billed the done job
    v.result, v.states = png_bytes(), ["done"]
    go(ticket, v)
    assert len(v.submits) == 1 and v.fetches == 2  # the same job's result, fetched again


def test_a_refusal_is_final_and_names_the_shot(ticket):
    v = Vendor(ticket, states=("refused",))
    with pytest.raises(jobs.RefusedError, match=r"ep01-s01-sh01.keyframe.*moderation.*vendor says refused.*not sent again"):
        go(ticket, v)
    assert len(v.submits) == 1
    v.states = ["done"]  # the vendor would take it now, but the same request is not sent again (a second payment)
    with pytest.raises(jobs.RefusedError, match=r"not sent again: .*refused this same request before: vendor says "
                                                r"refused; change the shot's action.*--forget abababababab"):
        go(ticket, v)
    assert len(v.submits) == 1
    jobs.Journal(ticket.journal).forget(ticket.key)  # a person chose to send it unchanged
    go(ticket, v)
    assert len(v.submits) == 2


class Sends(Vendor):
    """A vendor whose submit goes through the HTTP layer to `url` (a port nothing listens on, or a server)."""

    def __init__(self, ticket, url, **kw):
        super().__init__(ticket, **kw)
        self.url = url

    def submit(self, request, client_id):
        ans = http.request("POST", self.url, who=self.name, body=b"{}", timeout=2, retry=http.Retry(base=0.01))
        ans.json(self.name)
        return jobs.Submitted(handle={"id": "x"})


def test_a_submit_that_never_left_this_machine_spends_nothing(ticket):
    import socket
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    v = Sends(ticket, f"http://127.0.0.1:{port}/submit")
    with pytest.raises(http.NotSent, match="cannot reach"):
        go(ticket, v)
    journal = jobs.Journal(ticket.journal)
    assert journal.read(ticket.key) is None and journal.spent() == {} and not journal.paid(ticket.key)


def test_a_job_past_its_timeout_is_kept_for_the_next_make(ticket):
    v = Vendor(ticket, states=("running",))
    t = iter(range(0, 10_000, 100))
    with pytest.raises(ProviderError, match="still running after 60 s.*next make goes on waiting"):
        jobs.run(ticket, v, {}, kind="image", estimate={"amount": 1, "currency": "USD"},
                 settings=jobs.Settings(poll_every=0, timeout=60), sleep=lambda s: None, clock=lambda: next(t))
    v.states = ["done"]
    go(ticket, v)
    assert len(v.submits) == 1


def test_after_max_failures_in_a_row_nothing_more_is_sent(tmp_path):
    jobs._failures.clear()
    sent = 0
    for k in range(4):
        t = jobs.JobTicket(tmp_path / "jobs", f"{k:064x}", f"shot {k}")
        v = Vendor(t, states=("failed",))
        v.name = "flaky"
        with pytest.raises(ProviderError) as err:
            jobs.run(t, v, {}, kind="image", estimate={"amount": 1, "currency": "USD"},
                     settings=jobs.Settings(poll_every=0, max_failures=3), sleep=lambda s: None)
        sent += len(v.submits)
    assert sent == 3 and "failed 3 jobs in a row" in str(err.value)
    jobs._failures.clear()


def test_the_same_request_under_a_new_key_is_answered_from_the_journal_and_not_paid_again(tmp_path):
    """A change of filmcrew's keys that leaves a paid request as it was (a shot lip-synced by Kling whose voice
    input became its line's pick) does not send and pay it again; another request, a retake (another
    artifact), a new seed for the shot or a job a person forgot is sent."""
    old = jobs.JobTicket(tmp_path / "jobs", "ab" * 32, "ep01-s01-sh01.lipsync")
    v = Vendor(old)
    first = go(old, v)
    assert len(v.submits) == 1
    new = jobs.JobTicket(tmp_path / "jobs", "cd" * 32, "ep01-s01-sh01.lipsync")
    again = go(new, Vendor(new))  # (a vendor that would fail the journal's checks if it were asked)
    assert again.path != first.path and again.path.read_bytes() == first.path.read_bytes()
    assert again.record["answered_from"] == old.key and again.record["actual"] == 0.0
    journal = jobs.Journal(tmp_path / "jobs")
    assert journal.spent() == {"USD": 0.04}  # paid once
    assert go(new, Vendor(new)).path == again.path  # and kept under its own key
    # another request, or the same one for another artifact (a retake), is sent
    third = jobs.JobTicket(tmp_path / "jobs", "ef" * 32, "ep01-s01-sh01.lipsync")
    other = Vendor(third)
    jobs.run(third, other, {"prompt": "y"}, kind="image",
             estimate={"amount": 0.04, "currency": "USD"}, settings=jobs.Settings(poll_every=0.0, timeout=60),
             sleep=lambda s: None)
    retake = jobs.JobTicket(tmp_path / "jobs", "12" * 32, "ep01-s01-sh01.lipsync.take1")
    r = Vendor(retake)
    go(retake, r)
    assert len(other.submits) == 1 and len(r.submits) == 1
    # a person who asks the model again for the shot (a new seed; a model without one gets the same request)
    reseeded = jobs.JobTicket(tmp_path / "jobs", "56" * 32, "ep01-s01-sh01.lipsync", seed=1)
    asked = Vendor(reseeded)
    go(reseeded, asked)
    assert len(asked.submits) == 1
    # a person who forgets the answered job has its request sent afresh (a second payment they chose)
    journal.forget(new.key)
    fresh = Vendor(new)
    go(new, fresh)
    assert len(fresh.submits) == 1 and "answered_from" not in journal.read(new.key)


def test_a_job_still_out_when_the_keys_change_moves_to_the_new_key_and_is_never_sent_twice(tmp_path):
    """The vendor took the job and the make stopped before its answer (the connection dropped, the make was killed);
    then filmcrew's keys changed, the request did not. A vendor that can be asked: the new key follows that same
    job to its result. One that cannot: the new key stops with the lost answer's message and its price, as the old
    one would have. Either way one submit, counted once."""
    folder = tmp_path / "jobs"
    a, b = jobs.JobTicket(folder, "ab" * 32, "ep01-s01-sh01.video"), jobs.JobTicket(folder, "cd" * 32, "ep01-s01-sh01.video")
    v = Vendor(a, die_in="poll")  # taken, then the make is killed while it waits
    with pytest.raises(KeyboardInterrupt):
        go(a, v)
    out = go(b, v)
    journal = jobs.Journal(folder)
    assert len(v.submits) == 1 and out.path.read_bytes() == v.result and out.record["moved_from"] == a.key
    assert journal.read(a.key) is None and journal.spent() == {"USD": 0.04}

    c, d = jobs.JobTicket(folder, "12" * 32, "ep01-s02-sh01.video"), jobs.JobTicket(folder, "34" * 32, "ep01-s02-sh01.video")
    lost = Vendor(c, finds=False, die_in="submit")  # the answer never came, and the vendor cannot be asked
    with pytest.raises(KeyboardInterrupt):
        go(c, lost)
    with pytest.raises(jobs.LostSubmitError, match=r"may have been billed \(0.040 USD\).*--resend 343434343434"):
        go(d, lost)
    assert len(lost.submits) == 1 and journal.read(d.key)["state"] == "submitting"
    assert journal.spent() == {"USD": pytest.approx(0.08)}  # the two jobs, each once


def test_a_request_that_never_left_is_not_remembered_and_spends_nothing_under_any_key(tmp_path):
    import socket
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path / "jobs"
    a, b = jobs.JobTicket(folder, "ab" * 32, "ep01-s01-sh01.video"), jobs.JobTicket(folder, "cd" * 32, "ep01-s01-sh01.video")
    for t in (a, b):  # the make fails before sending, then again after filmcrew's keys changed
        with pytest.raises(http.NotSent, match="cannot reach"):
            go(t, Sends(t, f"http://127.0.0.1:{port}/submit"))
    journal = jobs.Journal(folder)
    assert journal.records() == [] and journal.spent() == {}
    assert not (folder / "requests").exists() or not any((folder / "requests").iterdir())
    v = Vendor(b)
    go(b, v)  # the vendor is reachable again: sent once, under the key asking now
    assert len(v.submits) == 1 and journal.spent() == {"USD": 0.04}
