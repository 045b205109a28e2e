"""Run settings: how a task is run and judged, defined once for the app, the CLIs and the pipeline.

    settings = RunSettings(episodes=4, seed=0, video_size=(320, 240))
    sim.sandbox.run(source, settings)

Defaults (one set, used everywhere a run starts):
- `episodes=4`: the sandbox's verdict needs success in at least half of the episodes, and 4 seeds
  separate a task that works from one that works by luck at the cost of ~4 x 3 s on 2 cores
  (sim/README.md); GenSim's own checks also ran several seeds per task.
- `seed=0`: episodes use seeds seed, seed+1, ..., so a run is reproducible from its first seed.
- `video=True`, `video_size=(320, 240)`, `fps=15` (sim.video: the cheapest size that still reads well).
- `limits=None`: the sandbox's `Limits`, scaled with the episode count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim import video as video_defaults

if TYPE_CHECKING:  # sim.sandbox imports this module; Limits is checked by its shape below
    from sim.sandbox.limits import Limits

DEFAULT_EPISODES = 4
MAX_EPISODES = 20  # a 20-episode run of a heavy task is ~2 minutes on 2 cores; more is a batch job
MAX_SEED = 2**31 - 1  # numpy's legacy seeding takes 32-bit seeds
MIN_VIDEO_SIZE, MAX_VIDEO_SIZE = (64, 48), (1280, 960)  # below: unreadable; above: slow and large
MIN_FPS, MAX_FPS = 1, 60
VIDEO_SIZE_CHOICES = ("320x240", "480x360", "640x480")  # offered by the app


def _int(name: str, value, low: int, high: int) -> int:
    """int(value) within [low, high], else ValueError naming the setting."""
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {number}")
    return number


def parse_video_size(value) -> tuple[int, int]:
    """'320x240' or (320, 240) -> (width, height) in pixels, within MIN/MAX_VIDEO_SIZE.

    Raises ValueError for another shape or a size out of range."""
    try:
        width, height = (int(v) for v in (value.lower().split("x") if isinstance(value, str) else value))
    except (TypeError, ValueError, AttributeError):
        raise ValueError(f"Video size must look like 320x240, got {value!r}") from None
    (w0, h0), (w1, h1) = MIN_VIDEO_SIZE, MAX_VIDEO_SIZE
    if not (w0 <= width <= w1 and h0 <= height <= h1):
        raise ValueError(f"Video size {width}x{height} is outside {w0}x{h0} .. {w1}x{h1}")
    return width, height


@dataclass(frozen=True)
class RunSettings:
    """Episodes, seed, video and limits of one sandbox run; checked on construction.

    episodes: 1..MAX_EPISODES, seeds seed .. seed+episodes-1; seed: 0..MAX_SEED.
    video_size: (width, height) pixels or 'WxH'; fps: frames per second of simulated time.
    limits: sandbox limits (None = defaults scaled with `episodes`).
    Raises ValueError naming the first bad setting (the app shows it as is).
    """

    episodes: int = DEFAULT_EPISODES
    seed: int = 0
    video: bool = True
    video_size: tuple[int, int] = video_defaults.SIZE
    fps: int = video_defaults.FPS
    limits: Limits | None = None

    def __post_init__(self):
        set_ = object.__setattr__  # frozen: normalise once, here
        set_(self, "episodes", _int("Episodes", self.episodes, 1, MAX_EPISODES))
        set_(self, "seed", _int("Seed", self.seed, 0, MAX_SEED))
        set_(self, "video", bool(self.video))
        set_(self, "video_size", parse_video_size(self.video_size))
        set_(self, "fps", _int("Frames per second", self.fps, MIN_FPS, MAX_FPS))
        if self.limits is not None and not callable(getattr(self.limits, "for_episodes", None)):
            raise ValueError(f"limits must be a sim.sandbox.Limits, got {type(self.limits).__name__}")

    @property
    def seeds(self) -> list[int]:
        """The episodes' seeds, in order."""
        return list(range(self.seed, self.seed + self.episodes))
