import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceRedBallGreenBowlPlaceBlue(Task):
    """Put the red ball in the green bowl; then put the blue cylinder on the pallet.

    Written by the offline rule-based generator from the idea:
    'put the red ball in the green bowl and the blue cylinder on the pallet'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the red ball in the green bowl; then put the blue cylinder on the pallet'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()
        # Anything inside a bowl counts (5 cm), as additional_reset does for bowl tasks.
        self.pos_eps = 0.05

    def reset(self, env):
        super().reset(env)

        # The green bowl (bowl, 12 x 12 cm).
        green_bowl_size = (0.12, 0.12, 0)
        green_bowl_poses = []
        for color in ['green']:
            pose = self.get_random_pose(env, green_bowl_size)
            env.add_object('bowl/bowl.urdf', pose, 'fixed', color=utils.COLORS[color])
            green_bowl_poses.append(pose)

        # The pallet (pallet, 30 x 25 x 4 cm).
        pallet_size = (0.3, 0.25, 0.04)
        pallet_poses = []
        for color in [None]:
            pose = self.get_random_pose(env, pallet_size)
            env.add_object('pallet/pallet.urdf', pose, 'fixed')
            pallet_poses.append(pose)

        # The red ball (ball-template, 4 x 4 x 4 cm).
        red_ball_size = (0.04, 0.04, 0.04)
        red_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        red_ball_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, red_ball_size)
            red_ball_ids.append(env.add_object(red_ball_urdf, pose, color=utils.COLORS[color]))

        # The blue cylinder (cylinder-template, 4 x 4 x 4 cm).
        blue_cylinder_size = (0.04, 0.04, 0.04)
        blue_cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        blue_cylinder_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_cylinder_size)
            blue_cylinder_ids.append(env.add_object(blue_cylinder_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the red ball in the green bowl.
        targets_0 = [(utils.apply(green_bowl_poses[0], (0.0, 0.0, 0.02)), green_bowl_poses[0][1])]
        self.add_goal(objs=red_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0],
                      language_goal='put the red ball in the green bowl')

        # Goal: put the blue cylinder on the pallet.
        targets_1 = [(utils.apply(pallet_poses[0], (0.0, 0.0, 0.04)), pallet_poses[0][1])]
        self.add_goal(objs=blue_cylinder_ids, matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0],
                      language_goal='put the blue cylinder on the pallet')
