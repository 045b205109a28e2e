"""Sandbox limits that scale with the episodes, and stall detection (sim/sandbox/limits.py,
runner watchdog, heartbeat)."""

import time

import pytest

from sim.sandbox import Limits, iter_run, run
from sim.sandbox.isolation import rlimit_values
from sim.settings import RunSettings

HANG_AT = {
    "import": "import time\nfrom cliport.tasks.task import Task\n\ntime.sleep(600)\n\n\nclass Hang(Task):\n    pass\n",
    "reset": "import time\nfrom cliport.tasks.task import Task\n\n\nclass Hang(Task):\n"
    "    def reset(self, env):\n        super().reset(env)\n        time.sleep(600)\n",
}

# Steps the simulation for longer than the stall limit in reset: slow, but never stalled.
SLOW_STEPPER = """
import time
from cliport.tasks.task import Task


class SlowStepper(Task):
    def __init__(self):
        super().__init__()
        self.max_steps = 1

    def reset(self, env):
        super().reset(env)
        end = time.monotonic() + 6
        while time.monotonic() < end:
            env.step_simulation()
            time.sleep(0.01)
"""


def test_scaled_limits_are_startup_plus_episodes():
    lim = Limits()
    one, four = lim.for_episodes(1), lim.for_episodes(4)
    assert one.wall_seconds == lim.startup_wall_seconds + lim.episode_wall_seconds
    assert four.wall_seconds == lim.startup_wall_seconds + 4 * lim.episode_wall_seconds
    assert four.cpu_seconds == lim.startup_cpu_seconds + 4 * lim.episode_cpu_seconds
    assert rlimit_values(four, 250_000)["RLIMIT_CPU"][0] == four.cpu_seconds
    custom = Limits(episode_wall_seconds=10, startup_wall_seconds=5).for_episodes(3)
    assert custom.wall_seconds == 35


def test_explicit_limits_win_over_scaling():
    fixed = Limits(wall_seconds=50, cpu_seconds=40)
    assert fixed.for_episodes(10).wall_seconds == 50 and fixed.for_episodes(10).cpu_seconds == 40
    with pytest.raises(ValueError, match="stall_seconds"):
        Limits(stall_seconds=0)
    with pytest.raises(ValueError, match="episodes"):
        Limits().for_episodes(0)


def test_verdict_reports_the_limits_of_its_run():
    v = run("def f(:\n", RunSettings(video=False, episodes=3))
    assert v["error"]["type"] == "SyntaxError"
    assert v["limits"]["wall_seconds"] == Limits().for_episodes(3).wall_seconds
    assert v["limits"]["stall_seconds"] == Limits().stall_seconds


@pytest.mark.parametrize("where", ["import", "reset"])
def test_a_hanging_task_is_stopped_as_stalled(where):
    limits = Limits(stall_seconds=3, wall_seconds=100)
    v = run(HANG_AT[where], RunSettings(video=False, episodes=1, limits=limits))
    assert v["error"]["type"] == "Stalled", v["error"]
    assert v["error"]["stage"] == ("load" if where == "import" else "reset")
    assert "3" in v["error"]["message"] and not v["success"]


def test_a_task_that_steps_the_simulation_is_not_stalled():
    limits = Limits(stall_seconds=3, wall_seconds=100)
    v = list(iter_run(SLOW_STEPPER, RunSettings(video=False, episodes=1, limits=limits)))[-1].verdict
    assert v["passed"]["reset"], v["error"]
    assert (v["error"] or {}).get("type") != "Stalled"


def test_a_caller_that_stops_iterating_does_not_make_its_run_stalled():
    events = iter_run(
        SLOW_STEPPER, RunSettings(video=False, episodes=1, limits=Limits(stall_seconds=2, wall_seconds=100))
    )
    first = next(events)
    time.sleep(5)  # the child keeps stepping and reporting into the unread pipe
    v = [first, *events][-1].verdict
    assert (v["error"] or {}).get("type") != "Stalled" and v["passed"]["reset"], v["error"]
