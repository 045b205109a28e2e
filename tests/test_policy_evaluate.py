"""policy.evaluate: one episode in the sandbox where a (tiny, barely trained) policy in this process
acts instead of the oracle, through the child's observations and the parent's answers."""

import csv
import json

import pytest

torch = pytest.importorskip("torch")

from policy import evaluate, train  # noqa: E402
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


def test_one_policy_episode_in_the_sandbox(tmp_path):
    torch.set_num_threads(1)
    data, run = tmp_path / "data", tmp_path / "run"
    _synthetic_dataset(data)
    train.train(data, run, 1, config=TINY, quiet=True)

    task = tmp_path / "one_block_in_bowl.py"
    task.write_text(TASK)
    rows = evaluate.evaluate(run, [str(task)], 1, tmp_path / "eval", progress=False)
    assert len(rows) == 1 and rows[0]["task"] == "one-block-in-bowl" and rows[0]["episodes"] == 1
    episode = json.loads((tmp_path / "eval" / "episodes.jsonl").read_text())
    assert episode["seed"] == 10001 and episode["error"] is None
    # Every step of the episode was the policy's: the child asked, this process answered.
    assert episode["steps"] >= 1 and rows[0]["steps"] == episode["steps"]
    assert 0.0 <= episode["reward"] <= 1.0
    table = list(csv.DictReader(open(tmp_path / "eval" / "results.csv")))
    assert table[0]["task"] == "one-block-in-bowl" and float(table[0]["mean_reward"]) == pytest.approx(
        100 * episode["reward"], abs=0.1
    )
    assert "| one-block-in-bowl | 1 |" in (tmp_path / "eval" / "results.md").read_text()
