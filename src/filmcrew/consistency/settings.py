"""The [consistency] table of filmcrew.toml."""

from __future__ import annotations

from dataclasses import dataclass

CHECKS = ("auto", "on", "off")


@dataclass(frozen=True)
class Consistency:
    check: str = "auto"  # auto: on when the [faces] extra is installed; on: required (make fails without it); off
    threshold: float = 0.6  # the largest face distance to the reference that counts as the same person (dlib's usual)
    max_retakes: int = 2  # new takes of a failing keyframe or clip, per shot, within the budget
    frames: int = 3  # frames sampled from each model clip (first, middle, last)
    palette: float = 0.6  # drawn check: the least colour-histogram overlap with the reference sheet
    silhouette: float = 0.6  # drawn check: the least overlap (IoU) of the figure's outline with the reference's
    expected_failures: float = 0.25  # the share of takes `plan --cost` expects to fail, until the project has its own

    def validate(self, where: str) -> None:
        from ..errors import ConfigError
        if self.check not in CHECKS:
            raise ConfigError(f"{where}: [consistency] check = {self.check!r}: use one of {', '.join(CHECKS)}")
        for name, lo, hi in (("threshold", 0.0, 2.0), ("palette", 0.0, 1.0), ("silhouette", 0.0, 1.0),
                             ("expected_failures", 0.0, 1.0)):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not lo <= v <= hi:
                raise ConfigError(f"{where}: [consistency] {name} = {v!r}: a number from {lo:g} to {hi:g}")
        for name, lo, hi in (("max_retakes", 0, 10), ("frames", 1, 12)):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                raise ConfigError(f"{where}: [consistency] {name} = {v!r}: a whole number from {lo} to {hi}")

    def key(self) -> dict:
        """What enters a pick's key (the check itself, not whether it is on)."""
        return {"threshold": self.threshold, "max_retakes": self.max_retakes, "frames": self.frames,
                "palette": self.palette, "silhouette": self.silhouette}
