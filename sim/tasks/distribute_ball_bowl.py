import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class DistributeBallBowl(Task):
    """Put 2 of the six balls in each of the three bowls.

    Written by the offline rule-based generator from the idea:
    'put two balls in each bowl'
    """

    def __init__(self):
        super().__init__()
        # 6 pick-and-place actions plus 2 spares (one per six objects).
        self.max_steps = 8
        self.lang_template = 'put 2 of the six balls in each of the three bowls'
        self.task_completed_desc = 'done distributing.'
        self.additional_reset()
        # Anything inside a bowl counts (5 cm), as additional_reset does for bowl tasks.
        self.pos_eps = 0.05

    def reset(self, env):
        super().reset(env)

        # Three bowls (bowl, 12 x 12 cm).
        bowl_size = (0.12, 0.12, 0)
        bowl_poses = []
        for color in ['green', 'green', 'green']:
            pose = self.get_random_pose(env, bowl_size)
            env.add_object('bowl/bowl.urdf', pose, 'fixed', color=utils.COLORS[color])
            bowl_poses.append(pose)

        # Six balls (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['red', 'blue', 'green', 'yellow', 'orange', 'purple']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # Goal: 2 objects in each bowl, one goal per bowl.
        targets_0 = [(utils.apply(bowl_poses[0], (0.0, 0.0, 0.02)), bowl_poses[0][1])]
        self.add_goal(objs=ball_ids[0:2], matches=np.ones((2, 1)), targ_poses=targets_0,
                      replace=True, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0] * 2,
                      language_goal='put the red ball and the blue ball in bowl 1')

        targets_1 = [(utils.apply(bowl_poses[1], (0.0, 0.0, 0.02)), bowl_poses[1][1])]
        self.add_goal(objs=ball_ids[2:4], matches=np.ones((2, 1)), targ_poses=targets_1,
                      replace=True, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0] * 2,
                      language_goal='put the green ball and the yellow ball in bowl 2')

        targets_2 = [(utils.apply(bowl_poses[2], (0.0, 0.0, 0.02)), bowl_poses[2][1])]
        self.add_goal(objs=ball_ids[4:6], matches=np.ones((2, 1)), targ_poses=targets_2,
                      replace=True, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0] * 2,
                      language_goal='put the orange ball and the purple ball in bowl 3')
