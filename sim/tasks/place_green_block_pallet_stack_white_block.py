import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceGreenBlockPalletStackWhiteBlock(Task):
    """Put the green block on the pallet; then stack the white block on the green block (bottom to
    top).

    Written by the offline rule-based generator from the idea:
    'place the green cube on the pallet, then stack the white cube on it'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the green block on the pallet; then stack the white block on the green block (bottom to top)'
        self.task_completed_desc = 'done placing and stacking.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The pallet (pallet, 30 x 25 x 4 cm).
        pallet_size = (0.3, 0.25, 0.04)
        pallet_poses = []
        for color in [None]:
            pose = self.get_random_pose(env, pallet_size)
            env.add_object('pallet/pallet.urdf', pose, 'fixed')
            pallet_poses.append(pose)

        # The green block (block, 4 x 4 x 4 cm).
        green_block_size = (0.04, 0.04, 0.04)
        green_block_ids = []
        for color in ['green']:
            pose = self.get_random_pose(env, green_block_size)
            green_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The white block (block, 4 x 4 x 4 cm).
        white_block_size = (0.04, 0.04, 0.04)
        white_block_ids = []
        for color in ['white']:
            pose = self.get_random_pose(env, white_block_size)
            white_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Goal: put the green block on the pallet.
        targets_0 = [(utils.apply(pallet_poses[0], (0.0, 0.0, 0.04)), pallet_poses[0][1])]
        self.add_goal(objs=green_block_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[np.pi / 2],
                      language_goal='put the green block on the pallet')

        # Stack from the bottom up, one goal per object, so each goal only becomes current once
        # the object below is in place (is_match ignores height, docs/task-api.md#metric-pose).
        targets_1 = [(utils.apply(targets_0[0], (0, 0, 0.04)), targets_0[0][1])]
        self.add_goal(objs=white_block_ids, matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[np.pi / 2],
                      language_goal='put the white block on the green block')
