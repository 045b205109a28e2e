import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class DistributeBallContainer(Task):
    """Put 1 of the three balls in each of the three containers.

    Written by the offline rule-based generator from the idea:
    'put a ball in each container'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'put 1 of the three balls in each of the three containers'
        self.task_completed_desc = 'done distributing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Three containers (container-template, 15 x 15 x 5 cm).
        container_size = (0.15, 0.15, 0.05)
        container_urdf = self.fill_template('container/container-template.urdf', {'DIM': (0.15, 0.15, 0.05), 'HALF': (0.075, 0.075, 0.025)})
        container_poses = []
        for color in ['brown', 'brown', 'brown']:
            pose = self.get_random_pose(env, container_size)
            env.add_object(container_urdf, pose, 'fixed', color=utils.COLORS[color])
            container_poses.append(pose)

        # Three balls (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['red', 'blue', 'green']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # Goal: 1 object in each container, one goal per container.
        targets_0 = [(utils.apply(container_poses[0], (0.0, 0.0, -0.005)), container_poses[0][1])]
        self.add_goal(objs=ball_ids[0:1], matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0],
                      language_goal='put the red ball in container 1')

        targets_1 = [(utils.apply(container_poses[1], (0.0, 0.0, -0.005)), container_poses[1][1])]
        self.add_goal(objs=ball_ids[1:2], matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0],
                      language_goal='put the blue ball in container 2')

        targets_2 = [(utils.apply(container_poses[2], (0.0, 0.0, -0.005)), container_poses[2][1])]
        self.add_goal(objs=ball_ids[2:3], matches=np.ones((1, 1)), targ_poses=targets_2,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0],
                      language_goal='put the green ball in container 3')
