import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class StackBlock(Task):
    """Stack a tower of the red block, the blue block, the green block, the yellow block and the orange
    block, from the bottom up.

    Written by the offline rule-based generator from the idea:
    'stack five blocks into a tower'
    """

    def __init__(self):
        super().__init__()
        # 5 pick-and-place actions plus one spare.
        self.max_steps = 6
        self.lang_template = 'stack a tower of the red block, the blue block, the green block, the yellow block and the orange block, from the bottom up'
        self.task_completed_desc = 'done stacking.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Five blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'blue', 'green', 'yellow', 'orange']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # A zone marks where the objects go.
        tower_base_size = (0.12, 0.12, 0)
        tower_base_pose = self.get_random_pose(env, tower_base_size)
        env.add_object('zone/zone.urdf', tower_base_pose, 'fixed')

        # Stack from the bottom up, one goal per object, so each goal only becomes current once
        # the object below is in place (is_match ignores height, docs/task-api.md#metric-pose).
        targets_0 = [(utils.apply(tower_base_pose, (0, 0, 0.02)), tower_base_pose[1])]
        self.add_goal(objs=block_ids[0:1], matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 5, symmetries=[np.pi / 2],
                      language_goal='put the red block in the zone')

        targets_1 = [(utils.apply(tower_base_pose, (0, 0, 0.06)), tower_base_pose[1])]
        self.add_goal(objs=block_ids[1:2], matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 5, symmetries=[np.pi / 2],
                      language_goal='put the blue block on the red block')

        targets_2 = [(utils.apply(tower_base_pose, (0, 0, 0.1)), tower_base_pose[1])]
        self.add_goal(objs=block_ids[2:3], matches=np.ones((1, 1)), targ_poses=targets_2,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 5, symmetries=[np.pi / 2],
                      language_goal='put the green block on the blue block')

        targets_3 = [(utils.apply(tower_base_pose, (0, 0, 0.14)), tower_base_pose[1])]
        self.add_goal(objs=block_ids[3:4], matches=np.ones((1, 1)), targ_poses=targets_3,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 5, symmetries=[np.pi / 2],
                      language_goal='put the yellow block on the green block')

        targets_4 = [(utils.apply(tower_base_pose, (0, 0, 0.18)), tower_base_pose[1])]
        self.add_goal(objs=block_ids[4:5], matches=np.ones((1, 1)), targ_poses=targets_4,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 5, symmetries=[np.pi / 2],
                      language_goal='put the orange block on the yellow block')
