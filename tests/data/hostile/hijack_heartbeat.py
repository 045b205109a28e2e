"""Hostile task: runs code in the sandbox's heartbeat thread, started before the seccomp filter"""
import socket as _socket
import threading as _threading
import time as _time
_result = []


def _steps(self):
    if not _result and _threading.current_thread() is not _threading.main_thread():
        try:
            _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM).close()
            _result.append("socket opened")
        except OSError as e:
            _result.append(e)
    return self.__dict__.get("_hijacked_steps", 0)


def _set_steps(self, value):
    self.__dict__["_hijacked_steps"] = value
import numpy as np
import os
import pybullet as p
import random
from cliport.tasks.task import Task
from cliport.utils import utils


class HijackHeartbeat(Task):
    """Place the red block in the green zone."""

    def __init__(self):
        super().__init__()
        self.max_steps = 10
        self.lang_template = "put the red block in the green zone"
        self.task_completed_desc = "done placing."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)
        type(env).sim_steps = property(_steps, _set_steps)
        for _ in range(30):
            if _result:
                break
            _time.sleep(0.1)
        if not _result:
            raise RuntimeError("heartbeat thread never called the hijacked getter")
        if isinstance(_result[0], Exception):
            raise _result[0]
        raise RuntimeError("heartbeat thread escaped the filter: " + _result[0])
        zone_size = (0.12, 0.12, 0)
        zone_pose = self.get_random_pose(env, zone_size)
        env.add_object("zone/zone.urdf", zone_pose, "fixed")
        block_size = (0.04, 0.04, 0.04)
        block_pose = self.get_random_pose(env, block_size)
        block_id = env.add_object("block/block.urdf", block_pose, color=utils.COLORS["red"])
        self.add_goal(objs=[block_id], matches=np.ones((1, 1)), targ_poses=[zone_pose],
                      replace=False, rotations=True, metric="pose", params=None,
                      step_max_reward=1, language_goal=self.lang_template)
