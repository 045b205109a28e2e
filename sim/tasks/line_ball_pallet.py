import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class LineBallPallet(Task):
    """Line up the three balls into the pallet along a line.

    Written by the offline rule-based generator from the idea:
    'put three balls in a row on the pallet'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'line up the three balls into the pallet along a line'
        self.task_completed_desc = 'done lining up.'
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

        # Three balls (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['red', 'blue', 'green']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # A black line marks the row.
        line_size = (0.18, 0.06, 0)
        line_pose = self.get_random_pose(env, line_size)
        line_urdf = self.fill_template('line/line-template.urdf', {'DIM': (0.18, 0.01, 0.001)})
        env.add_object(line_urdf, line_pose, 'fixed', color=utils.COLORS['black'])

        # Goal: line up the three balls along the line, 6 cm apart.
        targets_0 = [
            (utils.apply(line_pose, (-0.06, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (0.0, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (0.06, 0, 0.02)), line_pose[1])]
        self.add_goal(objs=ball_ids, matches=np.ones((3, 3)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 3,
                      language_goal='line up the three balls along the line')
