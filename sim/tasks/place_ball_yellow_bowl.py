import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBallYellowBowl(Task):
    """Put the two balls in the yellow bowl, leaving the green ball where it is.

    Written by the offline rule-based generator from the idea:
    'put all balls but the green one into the yellow bowl'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the two balls in the yellow bowl, leaving the green ball where it is'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()
        # Anything inside a bowl counts (5 cm), as additional_reset does for bowl tasks.
        self.pos_eps = 0.05

    def reset(self, env):
        super().reset(env)

        # The yellow bowl (bowl, 12 x 12 cm).
        yellow_bowl_size = (0.12, 0.12, 0)
        yellow_bowl_poses = []
        for color in ['yellow']:
            pose = self.get_random_pose(env, yellow_bowl_size)
            env.add_object('bowl/bowl.urdf', pose, 'fixed', color=utils.COLORS[color])
            yellow_bowl_poses.append(pose)

        # Two balls (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['red', 'blue']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # The green ball (ball-template, 4 x 4 x 4 cm).
        green_ball_size = (0.04, 0.04, 0.04)
        green_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        green_ball_ids = []
        for color in ['green']:
            pose = self.get_random_pose(env, green_ball_size)
            green_ball_ids.append(env.add_object(green_ball_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the two balls in the yellow bowl.
        targets_0 = [(utils.apply(yellow_bowl_poses[0], (0.0, 0.0, 0.02)), yellow_bowl_poses[0][1])]
        self.add_goal(objs=ball_ids, matches=np.ones((2, 1)), targ_poses=targets_0,
                      replace=True, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 2,
                      language_goal='put the two balls in the yellow bowl')
