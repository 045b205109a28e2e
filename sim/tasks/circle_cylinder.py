import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class CircleCylinder(Task):
    """Arrange in a circle the five cylinders.

    Written by the offline rule-based generator from the idea:
    'make a circle of five cylinders'
    """

    def __init__(self):
        super().__init__()
        # 5 pick-and-place actions plus one spare.
        self.max_steps = 6
        self.lang_template = 'arrange in a circle the five cylinders'
        self.task_completed_desc = 'done arranging.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Five cylinders (cylinder-template, 4 x 4 x 4 cm).
        cylinder_size = (0.04, 0.04, 0.04)
        cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        cylinder_ids = []
        for color in ['red', 'blue', 'green', 'yellow', 'orange']:
            pose = self.get_random_pose(env, cylinder_size)
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

        # The centre of the arrangement (free space around it).
        circle_center_size = (0.18, 0.18, 0)
        circle_center_pose = self.get_random_pose(env, circle_center_size)

        # Goal: a circle of radius 6 cm; a corner marker shows each spot.
        targets_0 = [
            (utils.apply(circle_center_pose, (0.06, 0.0, 0.02)), circle_center_pose[1]),
            (utils.apply(circle_center_pose, (0.0185, 0.0571, 0.02)), circle_center_pose[1]),
            (utils.apply(circle_center_pose, (-0.0485, 0.0353, 0.02)), circle_center_pose[1]),
            (utils.apply(circle_center_pose, (-0.0485, -0.0353, 0.02)), circle_center_pose[1]),
            (utils.apply(circle_center_pose, (0.0185, -0.0571, 0.02)), circle_center_pose[1])]
        self.add_goal(objs=cylinder_ids, matches=np.ones((5, 5)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 5,
                      language_goal='arrange the five cylinders in a circle')

        for target in targets_0:
            self.add_corner_anchor_for_pose(env, target)
