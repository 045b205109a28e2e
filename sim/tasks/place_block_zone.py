import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBlockZone(Task):
    """Put the five blocks in the zone.

    Written by the offline rule-based generator from the idea:
    'put five blocks in the zone'
    """

    def __init__(self):
        super().__init__()
        # 5 pick-and-place actions plus one spare.
        self.max_steps = 6
        self.lang_template = 'put the five blocks in the zone'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Five blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'blue', 'green', 'yellow', 'orange']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The zone (zone, 12 x 12 cm).
        zone_size = (0.12, 0.12, 0)
        zone_poses = []
        for color in ['green']:
            pose = self.get_random_pose(env, zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            zone_poses.append(pose)

        # Goal: put the five blocks in the zone (spaced slots, one object each).
        targets_0 = [
            (utils.apply(zone_poses[0], (-0.045, -0.0225, 0.02)), zone_poses[0][1]),
            (utils.apply(zone_poses[0], (0.0, -0.0225, 0.02)), zone_poses[0][1]),
            (utils.apply(zone_poses[0], (0.045, -0.0225, 0.02)), zone_poses[0][1]),
            (utils.apply(zone_poses[0], (-0.045, 0.0225, 0.02)), zone_poses[0][1]),
            (utils.apply(zone_poses[0], (0.0, 0.0225, 0.02)), zone_poses[0][1])]
        self.add_goal(objs=block_ids, matches=np.ones((5, 5)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2] * 5,
                      language_goal='put the five blocks in the zone')
