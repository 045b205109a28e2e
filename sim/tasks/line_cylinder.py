import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class LineCylinder(Task):
    """Line up the four cylinders along a line.

    Written by the offline rule-based generator from the idea:
    'line up four cylinders'
    """

    def __init__(self):
        super().__init__()
        # 4 pick-and-place actions plus one spare.
        self.max_steps = 5
        self.lang_template = 'line up the four cylinders along a line'
        self.task_completed_desc = 'done lining up.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Four cylinders (cylinder-template, 4 x 4 x 4 cm).
        cylinder_size = (0.04, 0.04, 0.04)
        cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        cylinder_ids = []
        for color in ['red', 'blue', 'green', 'yellow']:
            pose = self.get_random_pose(env, cylinder_size)
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

        # A black line marks the row.
        line_size = (0.24, 0.06, 0)
        line_pose = self.get_random_pose(env, line_size)
        line_urdf = self.fill_template('line/line-template.urdf', {'DIM': (0.24, 0.01, 0.001)})
        env.add_object(line_urdf, line_pose, 'fixed', color=utils.COLORS['black'])

        # Goal: line up the four cylinders along the line, 6 cm apart.
        targets_0 = [
            (utils.apply(line_pose, (-0.09, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (-0.03, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (0.03, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (0.09, 0, 0.02)), line_pose[1])]
        self.add_goal(objs=cylinder_ids, matches=np.ones((4, 4)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 4,
                      language_goal='line up the four cylinders along the line')
