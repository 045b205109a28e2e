import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class DistributeCylinderZone(Task):
    """Put 1 of the three cylinders in each of the three zones.

    Written by the offline rule-based generator from the idea:
    'put a cylinder in each zone'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'put 1 of the three cylinders in each of the three zones'
        self.task_completed_desc = 'done distributing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Three cylinders (cylinder-template, 4 x 4 x 4 cm).
        cylinder_size = (0.04, 0.04, 0.04)
        cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        cylinder_ids = []
        for color in ['red', 'blue', 'green']:
            pose = self.get_random_pose(env, cylinder_size)
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

        # Three zones (zone, 12 x 12 cm).
        zone_size = (0.12, 0.12, 0)
        zone_poses = []
        for color in ['green', 'green', 'green']:
            pose = self.get_random_pose(env, zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            zone_poses.append(pose)

        # Goal: 1 object in each zone, one goal per zone.
        targets_0 = [(utils.apply(zone_poses[0], (0.0, 0.0, 0.02)), zone_poses[0][1])]
        self.add_goal(objs=cylinder_ids[0:1], matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0],
                      language_goal='put the red cylinder in zone 1')

        targets_1 = [(utils.apply(zone_poses[1], (0.0, 0.0, 0.02)), zone_poses[1][1])]
        self.add_goal(objs=cylinder_ids[1:2], matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0],
                      language_goal='put the blue cylinder in zone 2')

        targets_2 = [(utils.apply(zone_poses[2], (0.0, 0.0, 0.02)), zone_poses[2][1])]
        self.add_goal(objs=cylinder_ids[2:3], matches=np.ones((1, 1)), targ_poses=targets_2,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0],
                      language_goal='put the green cylinder in zone 3')
