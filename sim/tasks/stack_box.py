import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class StackBox(Task):
    """Stack a tower of the red box, the blue box and the green box, from the bottom up.

    Written by the offline rule-based generator from the idea:
    'stack three boxes'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'stack a tower of the red box, the blue box and the green box, from the bottom up'
        self.task_completed_desc = 'done stacking.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Three boxes (box-template, 5 x 5 x 5 cm).
        box_size = (0.05, 0.05, 0.05)
        box_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.05, 0.05, 0.05)})
        box_ids = []
        for color in ['red', 'blue', 'green']:
            pose = self.get_random_pose(env, box_size)
            box_ids.append(env.add_object(box_urdf, pose, color=utils.COLORS[color]))

        # A zone marks where the objects go.
        tower_base_size = (0.12, 0.12, 0)
        tower_base_pose = self.get_random_pose(env, tower_base_size)
        env.add_object('zone/zone.urdf', tower_base_pose, 'fixed')

        # Stack from the bottom up, one goal per object, so each goal only becomes current once
        # the object below is in place (is_match ignores height, docs/task-api.md#metric-pose).
        targets_0 = [(utils.apply(tower_base_pose, (0, 0, 0.025)), tower_base_pose[1])]
        self.add_goal(objs=box_ids[0:1], matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the red box in the zone')

        targets_1 = [(utils.apply(tower_base_pose, (0, 0, 0.075)), tower_base_pose[1])]
        self.add_goal(objs=box_ids[1:2], matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the blue box on the red box')

        targets_2 = [(utils.apply(tower_base_pose, (0, 0, 0.125)), tower_base_pose[1])]
        self.add_goal(objs=box_ids[2:3], matches=np.ones((1, 1)), targ_poses=targets_2,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the green box on the blue box')
