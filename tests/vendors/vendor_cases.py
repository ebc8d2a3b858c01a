"""The vendors the conformance suite (tests/vendors/test_conformance.py) runs, each against its fake server (the
tests' own, which follow the vendor's published protocol), as data: how to build its provider, where its submit,
poll and download go, what a busy answer and a refusal look like in its own words. A helper module, not a test
file: the suite and the process it kills import it.

Busy answers are HTTP 429 with `Retry-After` and the vendor's own error body (Kling's code 1302, Google's
RESOURCE_EXHAUSTED, MiniMax's base_resp 1002, Ark's RateLimitExceeded, Runway's `error`): what each vendor's
gateway answers to a client that sends too fast."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]  # the fake servers and vendor_requests sit in tests/ (also when run as a script)

from vendor_requests import request  # noqa: E402

from filmcrew.providers.remote import jobs  # noqa: E402


@dataclass(frozen=True)
class Vendor:
    name: str
    fake: str  # "module:Class" of its fake server
    submit: str  # the path prefix of its submit (POST)
    poll: str  # of its poll (GET)
    download: str  # of its result's download (GET)
    busy: dict  # the body of its 429
    refusal: str  # the fake's script step that makes its moderation refuse the job
    refused: str  # what the error says: the vendor's own code or field
    seconds: int = 5

    def server(self):
        mod, cls = self.fake.split(":")
        module = __import__(mod)
        return getattr(module, cls)()

    def provider(self, url: str, **kw):
        kw.setdefault("poll_every", 0.05)
        if self.name == "kling":
            from fake_kling import AK, SK
            from filmcrew.providers.remote.kling import KlingAnimator
            return KlingAnimator(env={"KLING_ACCESS_KEY": AK, "KLING_SECRET_KEY": SK}, base_url=url, **kw)
        key = getattr(__import__(self.fake.split(":")[0]), "KEY", "ark-fake-0001")  # (FakeArk's own default key)
        cls = {"runway": ("runway", "RunwayAnimator"), "veo": ("veo", "VeoAnimator"),
               "hailuo": ("hailuo", "HailuoAnimator"), "seedance": ("seedance", "SeedanceAnimator")}[self.name]
        module = __import__(f"filmcrew.providers.remote.{cls[0]}", fromlist=[cls[1]])
        return getattr(module, cls[1])(env={"VENDOR_KEY": key}, base_url=url, api_key_env="VENDOR_KEY", **kw)

    def tasks(self, fake) -> int:
        """How many jobs the vendor took (each one billed)."""
        return len(fake.ops if self.name == "veo" else fake.tasks)

    def submits(self, fake) -> int:
        """How many submits reached the vendor's handler."""
        return len(fake.video_requests if self.name == "seedance" else fake.submits)

    def animate(self, url: str, folder: Path, **kw) -> Path:
        """One shot's clip, through the job layer, with the journal in `folder`/jobs."""
        out = folder / "o"
        out.mkdir(exist_ok=True)
        ticket = jobs.JobTicket(folder / "jobs", "ab" * 32, "ep01-s01-sh01.video")
        return self.provider(url, **kw).animate(request(folder, seconds=self.seconds, job=ticket), out)


VENDORS = [
    Vendor("kling", "fake_kling:FakeKling", "/v1/videos/image2video", "/v1/videos/", "/results/",
           {"code": 1302, "message": "request too frequent", "request_id": "r-1"}, "1301", "1301"),
    Vendor("runway", "fake_runway:FakeRunway", "/v1/image_to_video", "/v1/tasks/", "/outputs/",
           {"error": "Too many requests"}, "safety", "SAFETY.INPUT.IMAGE"),
    Vendor("veo", "fake_veo:FakeVeo", "/v1beta/models/", "/v1beta/models/", "/v1beta/files/",
           {"error": {"code": 429, "message": "Resource has been exhausted", "status": "RESOURCE_EXHAUSTED"}},
           "filtered", "safety filters", seconds=6),
    Vendor("hailuo", "fake_hailuo:FakeHailuo", "/v1/video_generation", "/v1/query/video_generation", "/download/",
           {"base_resp": {"status_code": 1002, "status_msg": "rate limit exceeded(RPM)"}}, "1026", "1026", seconds=6),
    Vendor("seedance", "fake_ark_images:FakeArk", "/api/v3/contents/generations/tasks",
           "/api/v3/contents/generations/tasks/", "/results/",
           {"error": {"code": "RateLimitExceeded.EndpointRPMExceeded", "message": "rate limit", "type": "TooManyRequests"}},
           "unsafe", "OutputVideoSensitiveContentDetected"),
]
BY_NAME = {v.name: v for v in VENDORS}

@dataclass(frozen=True)
class ImageVendor:
    """An image vendor: one request answered with the picture (no job id, nothing to poll)."""
    name: str
    fake: str
    path: str  # the path prefix of its request (POST)
    busy: dict
    refusal: str
    refused: str

    def server(self):
        mod, cls = self.fake.split(":")
        return getattr(__import__(mod), cls)()

    def provider(self, url: str, **kw):
        from filmcrew.providers.remote.openai_images import OpenAIImagesIllustrator
        from filmcrew.providers.remote.seedream import SeedreamIllustrator
        cls, key = {"openai-images": (OpenAIImagesIllustrator, "sk-fake-images-0001"),
                    "seedream": (SeedreamIllustrator, "ark-fake-0001")}[self.name]  # (the fakes' default keys)
        return cls(env={"VENDOR_KEY": key}, base_url=url, api_key_env="VENDOR_KEY", **kw)

    def requests(self, fake) -> int:
        return len(fake.requests)

    def draw(self, url: str, folder: Path, **kw) -> Path:
        from vendor_requests import shot_request
        out = folder / "o"
        out.mkdir(exist_ok=True)
        return self.provider(url, **kw).draw(shot_request(folder), out)


IMAGE_VENDORS = [
    ImageVendor("openai-images", "fake_openai_images:FakeImages", "/v1/images/",
                {"error": {"message": "Rate limit reached for requests", "type": "requests", "code": "rate_limit_exceeded"}},
                "moderation", "moderation_blocked"),
    ImageVendor("seedream", "fake_ark_images:FakeArk", "/api/v3/images/generations",
                {"error": {"code": "RateLimitExceeded.EndpointRPMExceeded", "message": "rate limit", "type": "TooManyRequests"}},
                "moderation", "OutputImageSensitiveContentDetected"),
]

if __name__ == "__main__":  # the process the SIGKILL test kills: python vendor_cases.py NAME URL FOLDER
    BY_NAME[sys.argv[1]].animate(sys.argv[2], Path(sys.argv[3]))
