import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceLargeRedBallContainer(Task):
    """Put the large red ball in the container.

    Written by the offline rule-based generator from the idea:
    'put the huge red ball in the container'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the large red ball in the container'
        self.task_completed_desc = 'done placing.'
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

        # The large red ball (ball-template, 5 x 5 x 5 cm).
        large_red_ball_size = (0.05, 0.05, 0.05)
        large_red_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.025,)})
        large_red_ball_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, large_red_ball_size)
            large_red_ball_ids.append(env.add_object(large_red_ball_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the large red ball in the container.
        targets_0 = [(utils.apply(container_poses[0], (0.0, 0.0, 0.0)), container_poses[0][1])]
        self.add_goal(objs=large_red_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the large red ball in the container')
