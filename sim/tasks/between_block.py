import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class BetweenBlock(Task):
    """Put the block between the first bowl and the second bowl.

    Written by the offline rule-based generator from the idea:
    'place a block between the two bowls'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the block between the first bowl and the second bowl'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The block (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The bowl with room for what goes between (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.14, 0.377, 0))[0]
        bowl_poses = [((region_0[0] + 0.0, region_0[1] + -0.1183, 0.0), (0, 0, 0, 1)), ((region_0[0] + 0.0, region_0[1] + 0.1183, 0.0), (0, 0, 0, 1))]
        env.add_object('bowl/bowl.urdf', bowl_poses[0], 'fixed', color=utils.COLORS['green'])
        env.add_object('bowl/bowl.urdf', bowl_poses[1], 'fixed', color=utils.COLORS['green'])

        # Goal: put the block between the green bowl and the green bowl: the midpoint of the two.
        ends_0 = (bowl_poses[0][0], bowl_poses[1][0])
        targets_0 = [
            (((ends_0[0][0] + ends_0[1][0]) / 2, (ends_0[0][1] + ends_0[1][1]) / 2, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=block_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2],
                      language_goal='put the block between the green bowl and the green bowl')
