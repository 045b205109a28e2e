import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class StackBlueBlockYellowBlock(Task):
    """Stack a tower of the blue block, the yellow block and the red block, from the bottom up.

    Written by the offline rule-based generator from the idea:
    'build a tower with blue at the bottom, then yellow, then red on top'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'stack a tower of the blue block, the yellow block and the red block, from the bottom up'
        self.task_completed_desc = 'done stacking.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The blue block (block, 4 x 4 x 4 cm).
        blue_block_size = (0.04, 0.04, 0.04)
        blue_block_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_block_size)
            blue_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The yellow block (block, 4 x 4 x 4 cm).
        yellow_block_size = (0.04, 0.04, 0.04)
        yellow_block_ids = []
        for color in ['yellow']:
            pose = self.get_random_pose(env, yellow_block_size)
            yellow_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The red block (block, 4 x 4 x 4 cm).
        red_block_size = (0.04, 0.04, 0.04)
        red_block_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, red_block_size)
            red_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # A zone marks where the objects go.
        tower_base_size = (0.12, 0.12, 0)
        tower_base_pose = self.get_random_pose(env, tower_base_size)
        env.add_object('zone/zone.urdf', tower_base_pose, 'fixed')

        # Stack from the bottom up, one goal per object, so each goal only becomes current once
        # the object below is in place (is_match ignores height, docs/task-api.md#metric-pose).
        targets_0 = [(utils.apply(tower_base_pose, (0, 0, 0.02)), tower_base_pose[1])]
        self.add_goal(objs=blue_block_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the blue block in the zone')

        targets_1 = [(utils.apply(tower_base_pose, (0, 0, 0.06)), tower_base_pose[1])]
        self.add_goal(objs=yellow_block_ids, matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the yellow block on the blue block')

        targets_2 = [(utils.apply(tower_base_pose, (0, 0, 0.1)), tower_base_pose[1])]
        self.add_goal(objs=red_block_ids, matches=np.ones((1, 1)), targ_poses=targets_2,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the red block on the yellow block')
