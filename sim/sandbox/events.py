"""The vocabulary of a sandbox run: its stages and the events it yields, one dataclass each.

    for event in iter_run(source, RunSettings(episodes=1)):
        match event:
            case StageEvent(stage=stage, status="fail"): ...
            case FrameEvent(jpeg=jpeg): ...
            case VerdictEvent(verdict=verdict): ...

The last event of every run is a `VerdictEvent`. Payloads that cross the signed channel (episode,
step, verdict) stay plain dicts: they are JSON documents (INTERFACES.md "sim.sandbox").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    """The sandbox's stages, in order (sim/sandbox/README.md "Stages and verdict"). Members compare
    equal to their names, so events and verdicts carry plain strings."""

    SYNTAX = "syntax"
    LOAD = "load"
    RESET = "reset"
    RUNTIME = "runtime"
    SUCCESS = "success"


STAGES = tuple(Stage)


@dataclass(frozen=True, slots=True)
class StageEvent:
    """A stage started, passed or failed. stage: a `Stage`; status: "start" | "pass" | "fail"."""

    stage: Stage
    status: str


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One line the task printed. stream: "stdout" | "stderr"; line: at most 2000 characters."""

    stream: str
    line: str


@dataclass(frozen=True, slots=True)
class FrameEvent:
    """A live frame (throttled): episode index from 0, JPEG bytes at the run's video size."""

    episode: int
    jpeg: bytes


@dataclass(frozen=True, slots=True)
class EpisodeEvent:
    """One finished episode: {"seed", "reward", "success", "steps", "seconds", ...}."""

    episode: dict


@dataclass(frozen=True, slots=True)
class StepEvent:
    """One step of a run with `StepOptions` (sim.sandbox.steps): {"seed", "step", "reward", "done",
    "lang_goal", "primitive", "acted", "pose0", "pose1", and "colour"/"height" when recording}."""

    step: dict


@dataclass(frozen=True, slots=True)
class VerdictEvent:
    """The run's verdict (sim.sandbox.verdict.make_verdict); always the last event."""

    verdict: dict


SandboxEvent = StageEvent | LogEvent | FrameEvent | EpisodeEvent | StepEvent | VerdictEvent
