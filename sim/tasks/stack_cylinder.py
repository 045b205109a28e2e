import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class StackCylinder(Task):
    """Stack a tower of the red cylinder, the blue cylinder and the green cylinder, from the bottom up.

    Approximated: round cylinders topple above 3 high here; the tower has 3; 4 cylinders were asked
    for; the task has 3.

    Written by the offline rule-based generator from the idea:
    'stack four cylinders'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'stack a tower of the red cylinder, the blue cylinder and the green cylinder, from the bottom up'
        self.task_completed_desc = 'done stacking.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Three cylinders (cylinder-template, 4 x 4 x 4 cm).
        cylinder_size = (0.04, 0.04, 0.04)
        cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        cylinder_ids = []
        for color in ['red', 'blue', 'green']:
            pose = self.get_random_pose(env, cylinder_size)
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

        # A zone marks where the objects go.
        tower_base_size = (0.12, 0.12, 0)
        tower_base_pose = self.get_random_pose(env, tower_base_size)
        env.add_object('zone/zone.urdf', tower_base_pose, 'fixed')

        # Stack from the bottom up, one goal per object, so each goal only becomes current once
        # the object below is in place (is_match ignores height, docs/task-api.md#metric-pose).
        targets_0 = [(utils.apply(tower_base_pose, (0, 0, 0.02)), tower_base_pose[1])]
        self.add_goal(objs=cylinder_ids[0:1], matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0],
                      language_goal='put the red cylinder in the zone')

        targets_1 = [(utils.apply(tower_base_pose, (0, 0, 0.06)), tower_base_pose[1])]
        self.add_goal(objs=cylinder_ids[1:2], matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0],
                      language_goal='put the blue cylinder on the red cylinder')

        targets_2 = [(utils.apply(tower_base_pose, (0, 0, 0.1)), tower_base_pose[1])]
        self.add_goal(objs=cylinder_ids[2:3], matches=np.ones((1, 1)), targ_poses=targets_2,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0],
                      language_goal='put the green cylinder on the blue cylinder')
