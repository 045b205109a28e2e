import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class OrderBySizeSmallBlockBlock(Task):
    """Line up the small block and the block and the large block from smallest to largest.

    Written by the offline rule-based generator from the idea:
    'order three blocks by size'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'line up the small block and the block and the large block from smallest to largest'
        self.task_completed_desc = 'done ordering.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The small block (box-template, 3 x 3 x 3 cm).
        small_block_size = (0.03, 0.03, 0.03)
        small_block_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.03, 0.03, 0.03)})
        small_block_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, small_block_size)
            small_block_ids.append(env.add_object(small_block_urdf, pose, color=utils.COLORS[color]))

        # The block (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The large block (box-template, 5 x 5 x 5 cm).
        large_block_size = (0.05, 0.05, 0.05)
        large_block_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.05, 0.05, 0.05)})
        large_block_ids = []
        for color in ['green']:
            pose = self.get_random_pose(env, large_block_size)
            large_block_ids.append(env.add_object(large_block_urdf, pose, color=utils.COLORS[color]))

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
        self.add_goal(objs=small_block_ids + block_ids + large_block_ids, matches=np.eye(3), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2] * 3,
                      language_goal='line up the blocks from smallest to largest')
