import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBallPallet(Task):
    """Put the four balls on the pallet.

    Written by the offline rule-based generator from the idea:
    'put four balls on the pallet'
    """

    def __init__(self):
        super().__init__()
        # 4 pick-and-place actions plus one spare.
        self.max_steps = 5
        self.lang_template = 'put the four balls on the pallet'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The pallet (pallet, 30 x 25 x 4 cm).
        pallet_size = (0.3, 0.25, 0.04)
        pallet_poses = []
        for color in [None]:
            pose = self.get_random_pose(env, pallet_size)
            env.add_object('pallet/pallet.urdf', pose, 'fixed')
            pallet_poses.append(pose)

        # Four balls (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['red', 'blue', 'green', 'yellow']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the four balls on the pallet (spaced slots, one object each).
        targets_0 = [
            (utils.apply(pallet_poses[0], (-0.035, -0.035, 0.04)), pallet_poses[0][1]),
            (utils.apply(pallet_poses[0], (0.035, -0.035, 0.04)), pallet_poses[0][1]),
            (utils.apply(pallet_poses[0], (-0.035, 0.035, 0.04)), pallet_poses[0][1]),
            (utils.apply(pallet_poses[0], (0.035, 0.035, 0.04)), pallet_poses[0][1])]
        self.add_goal(objs=ball_ids, matches=np.ones((4, 4)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 4,
                      language_goal='put the four balls on the pallet')
