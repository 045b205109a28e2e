"""The vocabulary of one generation: its stages and the events `iter_generate` yields.

    for event in iter_generate(idea, backend, options=GenerateOptions()):
        match event:
            case StageStarted(stage=stage, attempt=k): ...
            case Token(text=delta): ...
            case FrameEvent(jpeg=jpeg) | LogEvent(line=line): ...  # passed through from the sandbox
            case Finished(result=result): ...

A generation yields its own events (below) and, while a task runs, the sandbox's events
(`sim.sandbox.events`) as they come, except the sandbox's `VerdictEvent`: the verdict arrives in
the `AttemptFinished` of that attempt. The last event is always `Finished`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sim.sandbox.events import SandboxEvent, Stage


class PipelineStage(StrEnum):
    """Stages of one generation as events name them and the app's strip shows them, in order.

    The sandbox's stages map onto the middle ones (FROM_SANDBOX); the prompt each stage sends is
    named by `generation.prompt_assembly.STAGES` (its `[stage: ...]` marker)."""

    PROPOSE = "propose"
    IMPLEMENT = "implement"
    SYNTAX = "syntax"
    LOAD = "load"
    RESET = "reset"
    ORACLE = "oracle"
    VERDICT = "verdict"
    REFLECT = "reflect"


# Sandbox stage -> pipeline stage: the last two are named after what the visitor watches (the oracle
# acting, then the verdict) rather than what the sandbox checks.
FROM_SANDBOX = {
    Stage.SYNTAX: PipelineStage.SYNTAX,
    Stage.LOAD: PipelineStage.LOAD,
    Stage.RESET: PipelineStage.RESET,
    Stage.RUNTIME: PipelineStage.ORACLE,
    Stage.SUCCESS: PipelineStage.VERDICT,
}


@dataclass(frozen=True, slots=True)
class StageStarted:
    """A pipeline stage started; attempt: 0 for the proposal, 1.. for implementations/repairs."""

    stage: PipelineStage
    attempt: int


@dataclass(frozen=True, slots=True)
class Token:
    """A piece of the implementation answer as the backend streams it."""

    text: str


@dataclass(frozen=True, slots=True)
class Proposed:
    """The task proposal: {"task-name", "task-description", "assets-used"}."""

    proposal: dict


@dataclass(frozen=True, slots=True)
class SpecRead:
    """What the backend says it built (offline backend): {"objects", "goals", "understanding", ...}."""

    spec: dict


@dataclass(frozen=True, slots=True)
class CodeExtracted:
    """The task code of an attempt, about to run in the sandbox."""

    code: str
    attempt: int


@dataclass(frozen=True, slots=True)
class AttemptFinished:
    """One attempt with its verdict: {"code", "raw", "verdict", "attempt"}."""

    attempt: dict


@dataclass(frozen=True, slots=True)
class Reflected:
    """The critics' judgement: {"accepted": bool, "votes": [{"accept", "reasons"}]}."""

    reflection: dict


@dataclass(frozen=True, slots=True)
class Finished:
    """The result R of the generation (INTERFACES.md "generation"); always the last event."""

    result: dict


GenerationEvent = (
    StageStarted | Token | Proposed | SpecRead | CodeExtracted | AttemptFinished | Reflected | Finished | SandboxEvent
)
