import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class RelationWhiteBallPallet(Task):
    """Put the white ball behind the pallet (as seen in the video).

    Written by the offline rule-based generator from the idea:
    'put the white ball behind the pallet'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the white ball behind the pallet (as seen in the video)'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The white ball (ball-template, 4 x 4 x 4 cm).
        white_ball_size = (0.04, 0.04, 0.04)
        white_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        white_ball_ids = []
        for color in ['white']:
            pose = self.get_random_pose(env, white_ball_size)
            white_ball_ids.append(env.add_object(white_ball_urdf, pose, color=utils.COLORS[color]))

        # The pallet with room for what goes behind (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.481, 0.411, 0))[0]
        pallet_poses = [((region_0[0] + 0.035, region_0[1] + 0.0, 0.02), (0, 0, 0, 1))]
        env.add_object('pallet/pallet.urdf', pallet_poses[0], 'fixed')

        # Goal: put the white ball behind the pallet (as seen in the video: left is -y, front is +x).
        reference_0 = pallet_poses[0][0]
        targets_0 = [((reference_0[0] + -0.2453, reference_0[1] + 0.0, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=white_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the white ball behind the pallet')
