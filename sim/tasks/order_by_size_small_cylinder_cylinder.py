import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class OrderBySizeSmallCylinderCylinder(Task):
    """Line up the small cylinder and the cylinder and the large cylinder from smallest to largest.

    Approximated: 4 cylinders were asked for; the task has 3.

    Written by the offline rule-based generator from the idea:
    'order four cylinders by size'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'line up the small cylinder and the cylinder and the large cylinder from smallest to largest'
        self.task_completed_desc = 'done ordering.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The small cylinder (cylinder-template, 3 x 3 x 3 cm).
        small_cylinder_size = (0.03, 0.03, 0.03)
        small_cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.015, 0.015, 0.03)})
        small_cylinder_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, small_cylinder_size)
            small_cylinder_ids.append(env.add_object(small_cylinder_urdf, pose, color=utils.COLORS[color]))

        # The cylinder (cylinder-template, 4 x 4 x 4 cm).
        cylinder_size = (0.04, 0.04, 0.04)
        cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        cylinder_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, cylinder_size)
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

        # The large cylinder (cylinder-template, 5 x 5 x 5 cm).
        large_cylinder_size = (0.05, 0.05, 0.05)
        large_cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.025, 0.025, 0.05)})
        large_cylinder_ids = []
        for color in ['green']:
            pose = self.get_random_pose(env, large_cylinder_size)
            large_cylinder_ids.append(env.add_object(large_cylinder_urdf, pose, color=utils.COLORS[color]))

        # A black line marks the row.
        line_size = (0.24, 0.08, 0)
        line_pose = self.get_random_pose(env, line_size)
        line_urdf = self.fill_template('line/line-template.urdf', {'DIM': (0.24, 0.01, 0.001)})
        env.add_object(line_urdf, line_pose, 'fixed', color=utils.COLORS['black'])

        # Goal: smallest to largest along the line; each object has its own slot (np.eye).
        targets_0 = [
            (utils.apply(line_pose, (-0.08, 0, 0.015)), line_pose[1]),
            (utils.apply(line_pose, (0.0, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (0.08, 0, 0.025)), line_pose[1])]
        self.add_goal(objs=small_cylinder_ids + cylinder_ids + large_cylinder_ids, matches=np.eye(3), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 3,
                      language_goal='line up the cylinders from smallest to largest')
