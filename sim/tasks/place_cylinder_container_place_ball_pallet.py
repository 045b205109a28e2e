import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceCylinderContainerPlaceBallPallet(Task):
    """Put the cylinder in the container; then put the ball on the pallet.

    Written by the offline rule-based generator from the idea:
    'put the cylinder in the container. then put the ball on the pallet'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the cylinder in the container; then put the ball on the pallet'
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

        # The pallet (pallet, 30 x 25 x 4 cm).
        pallet_size = (0.3, 0.25, 0.04)
        pallet_poses = []
        for color in [None]:
            pose = self.get_random_pose(env, pallet_size)
            env.add_object('pallet/pallet.urdf', pose, 'fixed')
            pallet_poses.append(pose)

        # The cylinder (cylinder-template, 4 x 4 x 4 cm).
        cylinder_size = (0.04, 0.04, 0.04)
        cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        cylinder_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, cylinder_size)
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

        # The ball (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the cylinder in the container.
        targets_0 = [(utils.apply(container_poses[0], (0.0, 0.0, -0.005)), container_poses[0][1])]
        self.add_goal(objs=cylinder_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0],
                      language_goal='put the cylinder in the container')

        # Goal: put the ball on the pallet.
        targets_1 = [(utils.apply(pallet_poses[0], (0.0, 0.0, 0.04)), pallet_poses[0][1])]
        self.add_goal(objs=ball_ids, matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0],
                      language_goal='put the ball on the pallet')
