import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBlueBallRedZonePlaceGreen(Task):
    """Put the blue ball in the red zone; then put the green ball in the yellow zone.

    Written by the offline rule-based generator from the idea:
    'put the blue ball in the red zone and the green ball in the yellow zone'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the blue ball in the red zone; then put the green ball in the yellow zone'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The blue ball (ball-template, 4 x 4 x 4 cm).
        blue_ball_size = (0.04, 0.04, 0.04)
        blue_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        blue_ball_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_ball_size)
            blue_ball_ids.append(env.add_object(blue_ball_urdf, pose, color=utils.COLORS[color]))

        # The green ball (ball-template, 4 x 4 x 4 cm).
        green_ball_size = (0.04, 0.04, 0.04)
        green_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        green_ball_ids = []
        for color in ['green']:
            pose = self.get_random_pose(env, green_ball_size)
            green_ball_ids.append(env.add_object(green_ball_urdf, pose, color=utils.COLORS[color]))

        # The red zone (zone, 12 x 12 cm).
        red_zone_size = (0.12, 0.12, 0)
        red_zone_poses = []
        for color in ['red']:
            pose = self.get_random_pose(env, red_zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            red_zone_poses.append(pose)

        # The yellow zone (zone, 12 x 12 cm).
        yellow_zone_size = (0.12, 0.12, 0)
        yellow_zone_poses = []
        for color in ['yellow']:
            pose = self.get_random_pose(env, yellow_zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            yellow_zone_poses.append(pose)

        # Goal: put the blue ball in the red zone.
        targets_0 = [(utils.apply(red_zone_poses[0], (0.0, 0.0, 0.02)), red_zone_poses[0][1])]
        self.add_goal(objs=blue_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0],
                      language_goal='put the blue ball in the red zone')

        # Goal: put the green ball in the yellow zone.
        targets_1 = [(utils.apply(yellow_zone_poses[0], (0.0, 0.0, 0.02)), yellow_zone_poses[0][1])]
        self.add_goal(objs=green_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0],
                      language_goal='put the green ball in the yellow zone')
