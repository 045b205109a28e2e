import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class CircleBall(Task):
    """Arrange in a circle the six balls.

    Written by the offline rule-based generator from the idea:
    'arrange six balls in a circle'
    """

    def __init__(self):
        super().__init__()
        # 6 pick-and-place actions plus 2 spares (one per six objects).
        self.max_steps = 8
        self.lang_template = 'arrange in a circle the six balls'
        self.task_completed_desc = 'done arranging.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Six balls (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['red', 'blue', 'green', 'yellow', 'orange', 'purple']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # The centre of the arrangement (free space around it).
        circle_center_size = (0.2, 0.2, 0)
        circle_center_pose = self.get_random_pose(env, circle_center_size)

        # Goal: a circle of radius 7 cm; a corner marker shows each spot.
        targets_0 = [
            (utils.apply(circle_center_pose, (0.07, 0.0, 0.02)), circle_center_pose[1]),
            (utils.apply(circle_center_pose, (0.035, 0.0606, 0.02)), circle_center_pose[1]),
            (utils.apply(circle_center_pose, (-0.035, 0.0606, 0.02)), circle_center_pose[1]),
            (utils.apply(circle_center_pose, (-0.07, 0.0, 0.02)), circle_center_pose[1]),
            (utils.apply(circle_center_pose, (-0.035, -0.0606, 0.02)), circle_center_pose[1]),
            (utils.apply(circle_center_pose, (0.035, -0.0606, 0.02)), circle_center_pose[1])]
        self.add_goal(objs=ball_ids, matches=np.ones((6, 6)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 6,
                      language_goal='arrange the six balls in a circle')

        for target in targets_0:
            self.add_corner_anchor_for_pose(env, target)
