"""One episode of a task in the sandbox with per-step messages: the recorder's and the evaluator's
common path (`sim.sandbox.iter_run` with `StepOptions`), so task code never runs in this process.
"""

from __future__ import annotations

from sim.sandbox import Limits, iter_run
from sim.sandbox.events import EpisodeEvent, StepEvent, VerdictEvent
from sim.sandbox.steps import StepOptions
from sim.settings import RunSettings

# A recorded or evaluated episode fuses camera views at every step (~0.6 s each) and an evaluated
# one also waits for the policy: both need more than the default per-episode budget.
LIMITS = Limits(wall_seconds=600.0, cpu_seconds=480.0)


def sandbox_episode(source: str, seed: int, steps: StepOptions, video: bool = False) -> tuple[dict | None, list, dict]:
    """Run episode `seed` of task `source` in the sandbox with `steps` (record: the oracle acts and
    each step carries its observation; act: `steps.actor` acts in this process).

    Returns (episode dict, or None when the run ended before an episode; [step dicts of the
    StepEvents, in order]; the verdict, whose "video" is an mp4 path owned by the caller when
    `video`). Raises ValueError for a source the sandbox refuses (not str, over 1 MiB).
    """
    episode, step_dicts, verdict = None, [], None
    settings = RunSettings(episodes=1, seed=seed, video=video, limits=LIMITS)
    for event in iter_run(source, settings, stream_frames=False, steps=steps):
        match event:
            case StepEvent(step=step):
                step_dicts.append(step)
            case EpisodeEvent(episode=episode):
                pass
            case VerdictEvent(verdict=verdict):
                pass
    return episode, step_dicts, verdict
