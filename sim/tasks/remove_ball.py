import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class RemoveBall(Task):
    """Move the ball out of the container onto free spots on the table.

    Written by the offline rule-based generator from the idea:
    'take the ball out of the box'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'move the ball out of the container onto free spots on the table'
        self.task_completed_desc = 'done moving.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The container (container-template, 15 x 15 x 5 cm).
        container_size = (0.15, 0.15, 0.05)
        container_urdf = self.fill_template('container/container-template.urdf', {'DIM': (0.15, 0.15, 0.05), 'HALF': (0.075, 0.075, 0.025)})
        container_poses = []
        for color in ['brown']:
            pose = self.get_random_pose(env, container_size)
            env.add_object(container_urdf, pose, 'fixed', color=utils.COLORS[color])
            container_poses.append(pose)

        # The ball (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        # They start on the container.
        ball_starts = [(0.0, 0.0, -0.003)]
        ball_ids = []
        for k, color in enumerate(['red']):
            pose = (utils.apply(container_poses[0], ball_starts[k]), container_poses[0][1])
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # Goal: move the ball off the container onto the table: a free stretch of table, found now that everything is spawned.
        spots_0 = self.get_random_pose(env, (0.09, 0.09, 0))
        targets_0 = [(utils.apply(spots_0, (0.0, 0, 0.02)), spots_0[1])]
        self.add_goal(objs=ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='move the ball off the container onto the table')
