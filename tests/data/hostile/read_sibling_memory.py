"""Hostile task: reads the memory of another sandbox child of the same app (another visitor's run)"""
import os as _os
_siblings, _refused = [], []
for _pid in (d for d in _os.listdir("/proc") if d.isdigit() and int(d) != _os.getpid()):
    try:
        with open(f"/proc/{_pid}/stat", "rb") as _f:
            if int(_f.read().rsplit(b")", 1)[1].split()[1]) != _os.getppid():
                continue
        with open(f"/proc/{_pid}/cmdline", "rb") as _f:
            if b"sim.sandbox.child" not in _f.read():
                continue
    except OSError:
        continue
    _siblings.append(_pid)
    try:
        with open(f"/proc/{_pid}/mem", "rb") as _f, open(f"/proc/{_pid}/environ", "rb") as _e:
            _env = _e.read()
    except OSError as e:
        _refused.append(e)
    else:
        raise RuntimeError(f"read a sibling's memory and environment: pid {_pid}: {_env[:200]!r}")
if _refused:
    raise _refused[0]
raise RuntimeError("no sibling sandbox child found")
import numpy as np
import os
import pybullet as p
import random
from cliport.tasks.task import Task
from cliport.utils import utils


class ReadSiblingMemory(Task):
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
