"""Hostile task: drops a file in the shared /tmp (e.g. to plant a module or a fake socket)"""
import os as _os
_path = "/tmp/" + _os.path.basename("@@MARKER@@")
with open(_path, "w") as _f:
    _f.write("pwned")
_os.remove(_path)         # proven; leave /tmp clean for the tests that run this
raise RuntimeError("wrote " + _path)
import numpy as np
import os
import pybullet as p
import random
from cliport.tasks.task import Task
from cliport.utils import utils


class WriteTmp(Task):
    """Place the red block in the green zone."""

    def __init__(self):
        super().__init__()
        self.max_steps = 10
        self.lang_template = "put the red block in the green zone"
        self.task_completed_desc = "done placing."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)
        pass
        zone_size = (0.12, 0.12, 0)
        zone_pose = self.get_random_pose(env, zone_size)
        env.add_object("zone/zone.urdf", zone_pose, "fixed")
        block_size = (0.04, 0.04, 0.04)
        block_pose = self.get_random_pose(env, block_size)
        block_id = env.add_object("block/block.urdf", block_pose, color=utils.COLORS["red"])
        self.add_goal(objs=[block_id], matches=np.ones((1, 1)), targ_poses=[zone_pose],
                      replace=False, rotations=True, metric="pose", params=None,
                      step_max_reward=1, language_goal=self.lang_template)
