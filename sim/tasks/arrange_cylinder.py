import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class ArrangeCylinder(Task):
    """Arrange the six cylinders in a 2 by 3 grid.

    Written by the offline rule-based generator from the idea:
    'arrange six cylinders in a 2 by 3 grid'
    """

    def __init__(self):
        super().__init__()
        # 6 pick-and-place actions plus 2 spares (one per six objects).
        self.max_steps = 8
        self.lang_template = 'arrange the six cylinders in a 2 by 3 grid'
        self.task_completed_desc = 'done arranging.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Six cylinders (cylinder-template, 4 x 4 x 4 cm).
        cylinder_size = (0.04, 0.04, 0.04)
        cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        cylinder_ids = []
        for color in ['red', 'blue', 'green', 'yellow', 'orange', 'purple']:
            pose = self.get_random_pose(env, cylinder_size)
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

        # The centre of the arrangement (free space around it).
        grid_center_size = (0.32, 0.32, 0)
        grid_center_pose = self.get_random_pose(env, grid_center_size)

        # Goal: arrange the six cylinders in a 2 by 3 grid, 8 cm apart; a corner marker shows each spot.
        targets_0 = [
            (utils.apply(grid_center_pose, (-0.04, -0.08, 0.02)), grid_center_pose[1]),
            (utils.apply(grid_center_pose, (-0.04, 0.0, 0.02)), grid_center_pose[1]),
            (utils.apply(grid_center_pose, (-0.04, 0.08, 0.02)), grid_center_pose[1]),
            (utils.apply(grid_center_pose, (0.04, -0.08, 0.02)), grid_center_pose[1]),
            (utils.apply(grid_center_pose, (0.04, 0.0, 0.02)), grid_center_pose[1]),
            (utils.apply(grid_center_pose, (0.04, 0.08, 0.02)), grid_center_pose[1])]
        self.add_goal(objs=cylinder_ids, matches=np.ones((6, 6)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 6,
                      language_goal='arrange the six cylinders in a 2 by 3 grid')

        for target in targets_0:
            self.add_corner_anchor_for_pose(env, target)
