import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class DistributeBallZone(Task):
    """Put 1 of the two balls in each of the two zones.

    Written by the offline rule-based generator from the idea:
    'put one ball in each of the two zones'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put 1 of the two balls in each of the two zones'
        self.task_completed_desc = 'done distributing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Two balls (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['red', 'blue']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # Two zones (zone, 12 x 12 cm).
        zone_size = (0.12, 0.12, 0)
        zone_poses = []
        for color in ['green', 'green']:
            pose = self.get_random_pose(env, zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            zone_poses.append(pose)

        # Goal: 1 object in each zone, one goal per zone.
        targets_0 = [(utils.apply(zone_poses[0], (0.0, 0.0, 0.02)), zone_poses[0][1])]
        self.add_goal(objs=ball_ids[0:1], matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0],
                      language_goal='put the red ball in zone 1')

        targets_1 = [(utils.apply(zone_poses[1], (0.0, 0.0, 0.02)), zone_poses[1][1])]
        self.add_goal(objs=ball_ids[1:2], matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0],
                      language_goal='put the blue ball in zone 2')
