"""Rope tasks beyond the two base ones (issue 15): the slow rope primitive must hold the wrist on
its target while the held bead drags a rope, and a rope task of the library succeeds."""

import numpy as np
import pytest

from sim import config, robot, tasks
from sim.env import Environment
from sim.episode import run_episode
from sim.loader import load_task_class


@pytest.fixture(scope="module")
def env():
    return Environment()


@pytest.fixture
def moves(monkeypatch):
    """Every movej call as (speed, target joints, joints at the end, timed out)."""
    calls = []
    movej = robot.UR5.movej

    def record(self, targj, speed=0.01, timeout=5):
        out = movej(self, targj, speed, timeout)
        calls.append((speed, np.asarray(targj, dtype=float), self.joint_positions(), out))
        return out

    monkeypatch.setattr(robot.UR5, "movej", record)
    return calls


def _first_action(env, name, seed):
    cls = load_task_class(tasks.task_files()[name])
    np.random.seed(seed)
    task = cls()
    env.set_task(task)
    obs = env.reset()
    return env.step(task.oracle(env).act(obs, env.info))


def test_slow_moves_keep_the_wrist_on_target_while_dragging_a_rope(env, moves):
    # two-ropes-on-lines seed 1: carrying the first bead, the original command (current joints + one
    # step) let the dragged rope turn the wrist 1.4 rad off its target and the action timed out.
    env.flags = config.CompatFlags()
    _, _, done, _ = _first_action(env, "two-ropes-on-lines", 1)
    slow = [m for m in moves if m[0] < robot.TRACK_BELOW]
    assert slow and not any(m[3] for m in moves)
    for _, target, end, _ in slow:
        assert np.abs(target - end).max() < 1e-2
    assert not done and "primitive timed out (arm could not reach a target)" not in env.warnings


def test_relative_movej_flag_restores_the_original_drift(env, moves):
    env.flags = config.CompatFlags(relative_movej=True)
    try:
        _, reward, done, _ = _first_action(env, "two-ropes-on-lines", 1)
    finally:
        env.flags = config.CompatFlags()
    timed_out = [m for m in moves if m[3]]
    assert done and reward == 0.0 and timed_out
    speed, target, end, _ = timed_out[0]
    assert speed < robot.TRACK_BELOW and abs(target[5] - end[5]) > 0.5  # the wrist joint drifted


def test_rope_into_a_square_succeeds(env):
    cls = load_task_class(tasks.task_files()["rope-into-square"])
    episode = run_episode(cls, 0, env=env)
    assert episode["error"] is None and episode["success"], episode
