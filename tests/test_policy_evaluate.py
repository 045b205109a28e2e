"""policy.evaluate: episodes in the sandbox where a (tiny, barely trained) policy in a batch worker
acts instead of the oracle, through the child's observations and the worker's answers; two workers,
a video, a task whose units fail; the per-process checkpoint cache."""

import csv
import json
import os

import pytest

torch = pytest.importorskip("torch")

from policy import checkpoint, evaluate, train  # noqa: E402
from sim import batch  # noqa: E402
from tests.test_policy_train import TINY, _synthetic_dataset  # noqa: E402

# A one-block task with a 2-action budget keeps the test short (and exercises a task file).
TASK = """
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class OneBlockInBowl(Task):
    def __init__(self):
        super().__init__()
        self.max_steps = 2
        self.lang_template = "put the red block in the green bowl"
        self.task_completed_desc = "done."

    def reset(self, env):
        super().reset(env)
        bowl_pose = self.get_random_pose(env, (0.12, 0.12, 0))
        env.add_object("bowl/bowl.urdf", bowl_pose, "fixed", color=utils.COLORS["green"])
        block = env.add_object("stacking/block.urdf", self.get_random_pose(env, (0.04, 0.04, 0.04)),
                               color=utils.COLORS["red"])
        self.add_goal(objs=[block], matches=np.ones((1, 1)), targ_poses=[bowl_pose], replace=False,
                      rotations=False, metric="pose", params=None, step_max_reward=1,
                      language_goal=self.lang_template)
"""


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A policy trained for one step on synthetic data, and the one-block task file."""
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("tiny")
    data, run = root / "data", root / "run"
    _synthetic_dataset(data)
    train.train(data, run, 1, config=TINY, quiet=True)
    task = root / "one_block_in_bowl.py"
    task.write_text(TASK)
    return run, task


def test_one_policy_episode_in_the_sandbox(tiny_run, tmp_path):
    run, task = tiny_run
    rows = evaluate.evaluate(run, [str(task)], 1, tmp_path / "eval", progress=False)
    assert len(rows) == 1 and rows[0]["task"] == "one-block-in-bowl" and rows[0]["episodes"] == 1
    episode = json.loads((tmp_path / "eval" / "episodes.jsonl").read_text())
    assert episode["seed"] == 10001 and episode["error"] is None
    # Every step of the episode was the policy's: the child asked, the worker answered.
    assert episode["steps"] >= 1 and rows[0]["steps"] == episode["steps"]
    assert 0.0 <= episode["reward"] <= 1.0
    table = list(csv.DictReader(open(tmp_path / "eval" / "results.csv")))
    assert table[0]["task"] == "one-block-in-bowl" and float(table[0]["mean_reward"]) == pytest.approx(
        100 * episode["reward"], abs=0.1
    )
    assert "| one-block-in-bowl | 1 |" in (tmp_path / "eval" / "results.md").read_text()


def test_two_workers_a_video_and_units_that_fail(tiny_run, tmp_path, capsys):
    run, task = tiny_run
    oversized = tmp_path / "oversized_task.py"  # the sandbox refuses it: its units raise
    oversized.write_text("#" * (1 << 20) + "\n")
    out = tmp_path / "eval"
    rows = evaluate.evaluate(
        run, [str(task), str(oversized)], 2, out, video=True, progress=False, engine=batch.LocalEngine(2)
    )
    assert [(r["task"], r["episodes"], r["not_run"]) for r in rows] == [
        ("one-block-in-bowl", 2, 0),
        ("oversized-task", 0, 2),
    ]
    lines = [json.loads(line) for line in (out / "episodes.jsonl").read_text().splitlines()]
    ran = sorted(e["seed"] for e in lines if e["task"] == "one-block-in-bowl" and e["error"] is None)
    assert ran == [10001, 10003]
    assert sorted(e["seed"] for e in lines if "not_run" in e) == [10001, 10003]
    assert all(e["not_run"].startswith("ValueError") for e in lines if "not_run" in e)
    assert (out / "videos" / "one-block-in-bowl.mp4").read_bytes()[4:8] == b"ftyp"
    assert not (out / "videos" / "oversized-task.mp4").exists()
    assert "Did not run (left out of the scores): 2 episodes of oversized-task." in (out / "results.md").read_text()
    assert "oversized-task: seed 10001: did not run: ValueError" in capsys.readouterr().err


def test_a_worker_loads_a_checkpoint_once_until_it_changes(tiny_run, tmp_path):
    run, _ = tiny_run
    first = evaluate.actor_for(str(run))
    assert evaluate.actor_for(str(run / checkpoint.CHECKPOINT)) is first
    copy = tmp_path / "copy.pt"
    copy.write_bytes((run / checkpoint.CHECKPOINT).read_bytes())
    second = evaluate.actor_for(str(copy))
    assert second is not first
    copy.write_bytes(copy.read_bytes())  # rewritten: a newer modification time
    os.utime(copy, ns=(0, copy.stat().st_mtime_ns + 10**9))
    assert evaluate.actor_for(str(copy)) is not second
