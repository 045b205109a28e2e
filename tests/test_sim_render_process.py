"""sim.render_process: video frames drawn by a second process from a mirror of the scene are the
frames this process draws, arrive in order, and fall back to this process when the worker cannot
help (fork denied, a texture, the worker killed)."""

import os
import signal

import numpy as np
import pybullet as p
import pytest

from sim import render_process, tasks
from sim.env import Environment
from sim.episode import run_episode
from sim.loader import load_task_class

pytestmark = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker only starts with 2+ CPUs")


def frames_of(name, monkeypatch, mode, seed=0):
    monkeypatch.setenv("GENSIM_RENDER_PROCESS", mode)
    env = Environment()
    episode = run_episode(load_task_class(tasks.task_files()[name]), seed, env=env, record=True)
    return env, episode


def differing(a, b):
    """Pixels (count) where two frames differ."""
    return int((np.abs(a.astype(int) - b.astype(int)).max(axis=2) > 0).sum())


@pytest.mark.parametrize("name", ["put-block-in-bowl", "sweeping-piles"])
def test_mirrored_frames_are_the_frames_drawn_here(name, monkeypatch):
    # put-block-in-bowl: the arm (forward kinematics) and the suction head (a fixed link);
    # sweeping-piles: the spatula, a link with two shapes of two colours, and 50 cubes.
    env_here, here = frames_of(name, monkeypatch, "0")
    assert env_here.render_process is not None and not env_here.render_process.alive
    env_there, there = frames_of(name, monkeypatch, "1")
    assert env_there.render_process.alive
    assert here["steps"] == there["steps"] and env_here.sim_steps == env_there.sim_steps  # same course
    assert len(here["frames"]) == len(there["frames"]) > 10
    counts = [differing(a, b) for a, b in zip(here["frames"], there["frames"])]
    # Forward kinematics from float32 joint frames may move an edge pixel, rarely a whole edge.
    assert sum(counts) <= 500 and sum(c > 0 for c in counts) <= 0.05 * len(counts), counts
    env_there.render_process.close()
    assert not env_there.render_process.alive


def test_frames_fall_back_to_this_process_when_the_worker_dies(monkeypatch):
    monkeypatch.setenv("GENSIM_RENDER_PROCESS", "1")
    env = Environment()
    cls = load_task_class(tasks.task_files()["put-block-in-bowl"])
    got = []

    def on_frame(frame):
        got.append(frame)
        if len(got) == 3:
            os.kill(env.render_process.pid, signal.SIGKILL)

    episode = run_episode(cls, 0, env=env, on_frame=on_frame)
    assert episode["success"] and episode["error"] is None
    assert not env.render_process.alive
    # Frames in flight when it died are lost (at most IN_FLIGHT); every later one was drawn here.
    expected = episode["steps"] and env.sim_steps // env.frame_every + 1
    assert expected - render_process.IN_FLIGHT <= len(got) < expected + 1


def test_a_stuck_worker_is_killed_and_the_frames_drawn_here(monkeypatch):
    monkeypatch.setenv("GENSIM_RENDER_PROCESS", "1")
    monkeypatch.setattr(render_process, "STUCK_SECONDS", 0.5)
    env = Environment()
    got = []

    def on_frame(frame):
        got.append(frame)
        if len(got) == 2:
            os.kill(env.render_process.pid, signal.SIGSTOP)  # alive but silent

    episode = run_episode(load_task_class(tasks.task_files()["put-block-in-bowl"]), 0, env=env, on_frame=on_frame)
    assert episode["success"] and not env.render_process.alive
    assert os.waitpid(env.render_process.pid, 0)[0] == env.render_process.pid  # killed, reaped here
    assert len(got) >= env.sim_steps // env.frame_every + 1 - render_process.IN_FLIGHT


def test_a_textured_scene_is_drawn_here(monkeypatch, tmp_path):
    from PIL import Image

    monkeypatch.setenv("GENSIM_RENDER_PROCESS", "1")
    env = Environment()
    env.set_task(load_task_class(tasks.task_files()["put-block-in-bowl"])())
    env.reset()
    Image.fromarray(np.full((8, 8, 3), 200, np.uint8)).save(tmp_path / "texture.png")
    p.changeVisualShape(env.obj_ids["rigid"][0], -1, textureUniqueId=p.loadTexture(str(tmp_path / "texture.png")))
    assert render_process.scene_shapes() is None  # the mirror cannot draw it
    got = []
    env.frame_every, env.frame_callback = 1, got.append
    env.emit_frame()
    assert len(got) == 1 and got[0].shape == (240, 320, 3)  # drawn here, at once


def test_no_worker_where_fork_is_denied(monkeypatch):
    def denied():
        raise PermissionError(1, "Operation not permitted")  # what the sandbox's seccomp answers

    monkeypatch.setattr(os, "fork", denied)
    worker = render_process.RenderProcess()
    assert worker.start() is False and not worker.alive


def test_a_dropped_environment_ends_its_worker(monkeypatch):
    import gc
    import time

    monkeypatch.setenv("GENSIM_RENDER_PROCESS", "1")
    env = Environment()
    run_episode(load_task_class(tasks.task_files()["put-block-in-bowl"]), 0, env=env, on_frame=lambda f: None)
    pid = env.render_process.pid
    del env
    gc.collect()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            state = "gone"
        if state in ("Z", "X", "gone"):  # exited (a zombie until this process reaps it)
            break
        time.sleep(0.05)
    assert state in ("Z", "X", "gone"), state
