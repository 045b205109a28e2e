import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBallStandPlaceBoxPallet(Task):
    """Put the ball on the stand; then put the box on the pallet.

    Written by the offline rule-based generator from the idea:
    'put a ball on the stand and a box on the pallet'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the ball on the stand; then put the box on the pallet'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The stand (stand, 5 x 15 x 0.5 cm).
        stand_size = (0.05, 0.15, 0.005)
        stand_poses = []
        for color in [None]:
            pose = self.get_random_pose(env, stand_size)
            env.add_object('stacking/stand.urdf', pose, 'fixed')
            stand_poses.append(pose)

        # The pallet (pallet, 30 x 25 x 4 cm).
        pallet_size = (0.3, 0.25, 0.04)
        pallet_poses = []
        for color in [None]:
            pose = self.get_random_pose(env, pallet_size)
            env.add_object('pallet/pallet.urdf', pose, 'fixed')
            pallet_poses.append(pose)

        # The ball (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # The box (box-template, 5 x 5 x 5 cm).
        box_size = (0.05, 0.05, 0.05)
        box_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.05, 0.05, 0.05)})
        box_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, box_size)
            box_ids.append(env.add_object(box_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the ball on the stand.
        targets_0 = [(utils.apply(stand_poses[0], (0.0, 0.0, 0.025)), stand_poses[0][1])]
        self.add_goal(objs=ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0],
                      language_goal='put the ball on the stand')

        # Goal: put the box on the pallet.
        targets_1 = [(utils.apply(pallet_poses[0], (0.0, 0.0, 0.045)), pallet_poses[0][1])]
        self.add_goal(objs=box_ids, matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[np.pi / 2],
                      language_goal='put the box on the pallet')
