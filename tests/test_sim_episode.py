"""Episodes, loader, CLI and video (docs/oracle.md#episode; INTERFACES.md `sim`): determinism, error capture
with task-file line numbers, an original-style task file run unchanged through `python -m sim.run`."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pybullet as p
import pytest

from sim import loader
from sim.env import Environment
from sim.episode import run_episode
from sim.video import write_mp4

ROOT = Path(__file__).resolve().parents[1]
ORIGINAL = ROOT / "tests" / "data" / "original_style" / "pallet_and_zone.py"

TWO_BLOCKS = '''
import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class TwoBlocks(Task):
    """Put two blocks on two targets."""

    def __init__(self):
        super().__init__()
        self.max_steps = 4
        self.lang_template = "put the blocks on the targets"
        self.additional_reset()

    def reset(self, env):
        super().reset(env)
        size = (0.04, 0.04, 0.04)
        blocks = [env.add_object('block/block.urdf', self.get_random_pose(env, size), color='blue')
                  for _ in range(2)]
        targets = [self.get_random_pose(env, (0.08, 0.08, 0.0)) for _ in range(2)]
        self.add_goal(objs=blocks, matches=np.ones((2, 2)), targ_poses=targets, replace=False,
                      rotations=True, metric='pose', params=None, step_max_reward=1)
        self.blocks = blocks
        if getattr(self, 'explode', None) == 'reset':
            raise RuntimeError('boom in reset')
'''

ORACLE_ERROR = (
    TWO_BLOCKS.replace("class TwoBlocks(Task):", "class Broken(Task):")
    + """
    def reward(self):
        return {}['missing']
"""
)


@pytest.fixture(scope="module")
def env():
    return Environment()


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def _final_poses(task):
    return [p.getBasePositionAndOrientation(b) for b in task.blocks]


def test_same_seed_gives_identical_rewards_and_poses(tmp_path, env):
    cls = loader.load_task_class(_write(tmp_path, "two_blocks.py", TWO_BLOCKS))
    seen = {}
    runs = []
    for _ in range(2):
        original_init = cls.__init__

        def init(self, _orig=original_init):
            _orig(self)
            seen["task"] = self

        cls.__init__ = init
        result = run_episode(cls, 7, env=env)
        cls.__init__ = original_init
        runs.append((result, _final_poses(seen["task"])))
    (a, pa), (b, pb) = runs
    assert a["error"] is None and a["steps"] >= 2
    assert a["reward"] == b["reward"] and a["success"] == b["success"] and a["reward"] > 0.99
    assert np.allclose(np.array([x[0] for x in pa]), np.array([x[0] for x in pb]), atol=1e-9)
    assert np.allclose(np.array([x[1] for x in pa]), np.array([x[1] for x in pb]), atol=1e-9)


def test_episode_dict_phases_frames(tmp_path, env):
    cls = loader.load_task_class(_write(tmp_path, "two_blocks.py", TWO_BLOCKS))
    phases, frames = [], []
    result = run_episode(
        cls, 3, env=env, on_phase=phases.append, on_frame=frames.append, record=True, video_size=(160, 120), fps=10
    )
    assert phases == ["reset", "oracle"]
    assert set(result) == {"seed", "reward", "success", "steps", "seconds", "warnings", "error", "frames", "scene"}
    assert len(frames) == len(result["frames"]) > 5
    assert frames[0].shape == (120, 160, 3) and frames[0].dtype == np.uint8


def test_reset_error_reports_task_line(tmp_path, env):
    path = _write(tmp_path, "two_blocks.py", TWO_BLOCKS)
    cls = loader.load_task_class(path)
    cls.explode = "reset"
    result = run_episode(cls, 0, env=env)
    err = result["error"]
    assert err["phase"] == "reset" and err["type"] == "RuntimeError" and err["message"] == "boom in reset"
    assert "raise RuntimeError" in path.read_text().splitlines()[err["line"] - 1]
    assert str(path) in err["traceback"] and "sim/env.py" not in err["traceback"]
    assert not result["success"]


def test_oracle_phase_error_and_step_budget(tmp_path, env):
    path = _write(tmp_path, "broken.py", ORACLE_ERROR)
    result = run_episode(loader.load_task_class(path), 0, env=env)
    err = result["error"]
    assert err["phase"] == "oracle" and err["type"] == "KeyError"
    assert "{}['missing']" in path.read_text().splitlines()[err["line"] - 1]
    cls = loader.load_task_class(_write(tmp_path, "two_blocks.py", TWO_BLOCKS))
    short = run_episode(cls, 0, env=env, max_sim_steps=50)
    assert short["error"] is None and not short["success"]
    assert any("budget" in w for w in short["warnings"])


def test_loader_finds_exactly_one_task_class():
    assert loader.find_task_class_name("class A(Task):\n    pass\nclass B:\n    pass\n") == "A"
    assert loader.find_task_class_name("import x\nclass A(task.Task): pass\n") == "A"
    with pytest.raises(loader.TaskLoadError, match="found 0"):
        loader.find_task_class_name("class A: pass\n")
    with pytest.raises(loader.TaskLoadError, match="found 2"):
        loader.find_task_class_name("class A(Task): pass\nclass B(Task): pass\n")
    with pytest.raises(SyntaxError):
        loader.find_task_class_name("class A(Task:\n")


def test_write_mp4_h264_yuv420p(tmp_path):
    import imageio_ffmpeg

    frames = [np.full((240, 320, 3), i * 10, np.uint8) for i in range(12)]
    path = write_mp4(frames, tmp_path / "v.mp4", fps=20)
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    assert meta["size"] == (320, 240) and meta["fps"] == 20 and "h264" in meta["codec"]
    assert "yuv420p" in meta["pix_fmt"]
    data = path.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")  # faststart: index before the media data
    with pytest.raises(ValueError):
        write_mp4([], tmp_path / "empty.mp4")


def test_original_style_file_runs_unchanged_through_cli(tmp_path):
    video = tmp_path / "ep.mp4"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.run",
            str(ORIGINAL),
            "--episodes",
            "2",
            "--seed",
            "0",
            "--json",
            "--video",
            str(video),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)  # stdout is exactly one JSON object
    assert list(result)[:3] == ["task", "episodes", "success_rate"] and result["task"] == "PalletAndZone"
    assert result["sandboxed"] and result["passed"]["runtime"] and result["error"] is None
    assert [e["seed"] for e in result["episodes"]] == [0, 1]
    assert set(result["episodes"][0]) == {"seed", "reward", "success", "steps", "seconds", "warnings", "error"}
    assert result["success_rate"] == 1.0 and all(e["error"] is None for e in result["episodes"])
    assert video.stat().st_size > 1000


def test_cli_library_name_and_bad_input(tmp_path):
    bad = subprocess.run(
        [sys.executable, "-m", "sim.run", "no-such-task", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and json.loads(bad.stdout)["error"]["type"] == "UnknownTask"
    assert "no-such-task" in json.loads(bad.stdout)["error"]["message"]


TOWER = '''
from cliport.tasks.task import Task


class Tower(Task):
    """Three blocks stacked at rest: the solver must hold them still."""

    def reset(self, env):
        super().reset(env)
        self.blocks = [env.add_object('block/block.urdf', ((0.5, 0.0, 0.02 + 0.04 * i), (0, 0, 0, 1)))
                       for i in range(3)]
'''


@pytest.mark.parametrize("exact", [False, True])
def test_solver_residual_follows_flag_and_keeps_a_stack_still(tmp_path, monkeypatch, exact):
    """The default looser solver residual (config.SOLVER_RESIDUAL) still holds a 3-block stack within
    1 mm for 2 simulated seconds; `exact_solver` restores Bullet's default threshold."""
    from sim import config

    calls = []
    real = p.setPhysicsEngineParameter
    monkeypatch.setattr(p, "setPhysicsEngineParameter", lambda **kw: (calls.append(kw), real(**kw))[1])
    env = Environment(flags=config.CompatFlags(exact_solver=exact))
    task = loader.load_task_class(_write(tmp_path, "tower.py", TOWER))()
    env.set_task(task)
    env.reset()
    expected = config.BULLET_SOLVER_RESIDUAL if exact else config.SOLVER_RESIDUAL
    assert [c["solverResidualThreshold"] for c in calls if "solverResidualThreshold" in c] == [expected]
    start = np.array([p.getBasePositionAndOrientation(b)[0] for b in task.blocks])
    for _ in range(2 * env.hz):
        env.step_simulation()
    end = np.array([p.getBasePositionAndOrientation(b)[0] for b in task.blocks])
    assert np.abs(end - start).max() < 1e-3
    assert np.allclose(end[:, 2], [0.02, 0.06, 0.10], atol=1e-3)
