"""The vendor conformance suite: every video vendor's adapter, against its fake server, through the one job layer
and the one HTTP layer. Each vendor submits and is followed to its verified clip, waits out a 429's Retry-After,
rides over a 503 on its submit and a gateway's 502 on its poll, has its moderation's refusal said in its own words
and not sent again, is not resubmitted when a submit hangs (it may have been billed) and follows the same job after a hung poll,
refuses an empty result and fetches it again without a new job, and, SIGKILLed while its job is out, resumes the
same job: each job is paid once. The vendors, as data: tests/vendors/vendor_cases.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from vendor_cases import HERE, IMAGE_VENDORS, VENDORS

from filmcrew.errors import ProviderError
from filmcrew.providers.remote import jobs


@pytest.fixture(params=VENDORS, ids=[v.name for v in VENDORS])
def vendor(request):
    v = request.param
    with v.server() as fake:
        yield v, fake


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr("filmcrew.providers.http.Retry.base", 0.01)  # back-offs without a Retry-After


def journal(tmp_path) -> jobs.Journal:
    return jobs.Journal(tmp_path / "jobs")


def test_submit_poll_and_fetch_a_verified_clip_paid_once(vendor, tmp_path):
    v, fake = vendor
    clip = v.animate(fake.url, tmp_path)
    assert clip.stat().st_size > 0 and (clip.parent / "generation.json").exists()
    (rec,) = journal(tmp_path).records()
    assert rec["state"] == "fetched" and v.tasks(fake) == 1 and v.submits(fake) == 1
    assert sum(journal(tmp_path).spent().values()) > 0


def test_a_429_waits_its_retry_after_and_sends_again(vendor, tmp_path):
    v, fake = vendor
    fake.faults.append(("POST", v.submit, ("busy", 429, {"Retry-After": "1"}, v.busy)))
    start = time.monotonic()
    v.animate(fake.url, tmp_path)
    assert time.monotonic() - start >= 0.95  # Retry-After: 1 honoured
    assert [f[2] for f in fake.faulted] == ["busy"] and v.tasks(fake) == 1


def test_a_503_submit_and_a_gateways_502_poll_are_asked_again(vendor, tmp_path, quick):
    v, fake = vendor
    fake.faults += [("POST", v.submit, ("busy", 503, {}, v.busy)),
                    ("GET", v.poll, ("busy", 502, {}, b"<html><body>502 Bad Gateway</body></html>"))]
    v.animate(fake.url, tmp_path)
    assert len(fake.faulted) == 2 and v.tasks(fake) == 1
    assert journal(tmp_path).records()[0]["state"] == "fetched"


def test_a_refusal_is_said_in_the_vendors_words_and_not_sent_again(vendor, tmp_path):
    v, fake = vendor
    fake.script = [v.refusal]
    with pytest.raises(jobs.RefusedError, match=v.refused):
        v.animate(fake.url, tmp_path)
    assert journal(tmp_path).records()[0]["state"] == "refused"
    sent = v.submits(fake)
    with pytest.raises(jobs.RefusedError, match="not sent again"):
        v.animate(fake.url, tmp_path)  # the same request, in the next make
    assert v.submits(fake) == sent


def test_a_hung_submit_is_never_sent_again_and_a_hung_poll_is_followed_again(vendor, tmp_path, quick):
    v, fake = vendor
    fake.faults.append(("POST", v.submit, ("hang", 1.5)))
    with pytest.raises(jobs.LostSubmitError, match="may have been billed"):
        v.animate(fake.url, tmp_path, timeout=0.5)
    with pytest.raises(jobs.LostSubmitError):
        v.animate(fake.url, tmp_path, timeout=0.5)  # the next make does not send it again either
    assert len(fake.faulted) == 1 and v.submits(fake) == 0
    other = tmp_path / "other"
    other.mkdir()
    fake.faults.append(("GET", v.poll, ("hang", 1.5)))
    with pytest.raises(ProviderError, match="did not answer within 0.5 s"):
        v.animate(fake.url, other, timeout=0.5)  # the make stops, saying so; its job is out
    v.animate(fake.url, other)  # the next make follows the same job
    assert len(fake.faulted) == 2 and v.tasks(fake) == 1 and v.submits(fake) == 1


def test_an_empty_result_is_refused_and_fetched_again_without_a_new_job(vendor, tmp_path, quick):
    v, fake = vendor
    fake.faults.append(("GET", v.download, ("empty", "video/mp4")))
    with pytest.raises(ProviderError, match="empty.*it is billed.*fetches its result again"):
        v.animate(fake.url, tmp_path)
    assert journal(tmp_path).records()[0]["state"] == "submitted"  # kept: the vendor billed it
    clip = v.animate(fake.url, tmp_path)
    assert clip.stat().st_size > 0 and v.tasks(fake) == 1 and v.submits(fake) == 1


def test_sigkilled_while_its_job_is_out_it_resumes_the_same_job(vendor, tmp_path):
    v, fake = vendor
    fake.work = 2.0  # the job is out for 2 s: the kill lands while it is followed
    with open(tmp_path / "stderr", "wb") as err:
        proc = subprocess.Popen([sys.executable, str(HERE / "vendor_cases.py"), v.name, fake.url, str(tmp_path)],
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    deadline = time.time() + 60
    while v.tasks(fake) == 0 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, (tmp_path / "stderr").read_text()
    time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert journal(tmp_path).records()[0]["state"] in ("submitted", "submitting")
    v.animate(fake.url, tmp_path)
    assert v.tasks(fake) == 1 and v.submits(fake) == 1  # the same job, paid once
    assert journal(tmp_path).records()[0]["state"] == "fetched"


# ---- the image vendors: one request answered with the picture ------------------------------------------------

@pytest.fixture(params=IMAGE_VENDORS, ids=[v.name for v in IMAGE_VENDORS])
def image_vendor(request):
    v = request.param
    with v.server() as fake:
        yield v, fake


def test_an_image_is_drawn_and_paid_once_after_a_429s_retry_after_and_a_503(image_vendor, tmp_path, quick):
    v, fake = image_vendor
    fake.faults += [("POST", v.path, ("busy", 429, {"Retry-After": "1"}, v.busy)), ("POST", v.path, ("busy", 503, {}, v.busy))]
    start = time.monotonic()
    v.draw(fake.url, tmp_path)
    assert time.monotonic() - start >= 0.95 and len(fake.faulted) == 2
    (rec,) = journal(tmp_path).records()
    assert rec["state"] == "fetched" and v.requests(fake) == 1 and sum(journal(tmp_path).spent().values()) > 0


def test_an_image_refusal_is_said_in_the_vendors_words_and_not_sent_again(image_vendor, tmp_path):
    v, fake = image_vendor
    fake.script = [v.refusal]
    with pytest.raises(jobs.RefusedError, match=v.refused):
        v.draw(fake.url, tmp_path)
    with pytest.raises(jobs.RefusedError, match="not sent again"):
        v.draw(fake.url, tmp_path)
    assert v.requests(fake) == 1


def test_a_hung_image_request_may_have_been_billed_and_is_not_sent_again(image_vendor, tmp_path):
    v, fake = image_vendor
    fake.faults.append(("POST", v.path, ("hang", 1.5)))
    with pytest.raises(jobs.LostSubmitError, match="may have been billed"):
        v.draw(fake.url, tmp_path, timeout=0.5)
    with pytest.raises(jobs.LostSubmitError):
        v.draw(fake.url, tmp_path, timeout=0.5)
    assert len(fake.faulted) == 1 and v.requests(fake) == 0
