import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class ArrangeBall(Task):
    """Arrange the four balls in a 2 by 2 grid.

    Written by the offline rule-based generator from the idea:
    'place four balls in a 2 by 2 grid'
    """

    def __init__(self):
        super().__init__()
        # 4 pick-and-place actions plus one spare.
        self.max_steps = 5
        self.lang_template = 'arrange the four balls in a 2 by 2 grid'
        self.task_completed_desc = 'done arranging.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Four balls (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['red', 'blue', 'green', 'yellow']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # The centre of the arrangement (free space around it).
        grid_center_size = (0.24, 0.24, 0)
        grid_center_pose = self.get_random_pose(env, grid_center_size)

        # Goal: arrange the four balls in a 2 by 2 grid, 8 cm apart; a corner marker shows each spot.
        targets_0 = [
            (utils.apply(grid_center_pose, (-0.04, -0.04, 0.02)), grid_center_pose[1]),
            (utils.apply(grid_center_pose, (-0.04, 0.04, 0.02)), grid_center_pose[1]),
            (utils.apply(grid_center_pose, (0.04, -0.04, 0.02)), grid_center_pose[1]),
            (utils.apply(grid_center_pose, (0.04, 0.04, 0.02)), grid_center_pose[1])]
        self.add_goal(objs=ball_ids, matches=np.ones((4, 4)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 4,
                      language_goal='arrange the four balls in a 2 by 2 grid')

        for target in targets_0:
            self.add_corner_anchor_for_pose(env, target)
