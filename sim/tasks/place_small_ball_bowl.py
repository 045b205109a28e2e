import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceSmallBallBowl(Task):
    """Put the small ball in the bowl.

    Written by the offline rule-based generator from the idea:
    'put the small ball in the bowl'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the small ball in the bowl'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()
        # Anything inside a bowl counts (5 cm), as additional_reset does for bowl tasks.
        self.pos_eps = 0.05

    def reset(self, env):
        super().reset(env)

        # The bowl (bowl, 12 x 12 cm).
        bowl_size = (0.12, 0.12, 0)
        bowl_poses = []
        for color in ['green']:
            pose = self.get_random_pose(env, bowl_size)
            env.add_object('bowl/bowl.urdf', pose, 'fixed', color=utils.COLORS[color])
            bowl_poses.append(pose)

        # The small ball (ball-template, 3 x 3 x 3 cm).
        small_ball_size = (0.03, 0.03, 0.03)
        small_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.015,)})
        small_ball_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, small_ball_size)
            small_ball_ids.append(env.add_object(small_ball_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the small ball in the bowl.
        targets_0 = [(utils.apply(bowl_poses[0], (0.0, 0.0, 0.015)), bowl_poses[0][1])]
        self.add_goal(objs=small_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the small ball in the bowl')
