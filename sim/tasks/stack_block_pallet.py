import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class StackBlockPallet(Task):
    """Stack the red block, then the blue block, then the green block on the pallet (bottom to top).

    Written by the offline rule-based generator from the idea:
    'stack all the blocks on the pallet'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'stack the red block, then the blue block, then the green block on the pallet (bottom to top)'
        self.task_completed_desc = 'done stacking.'
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

        # Three blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'blue', 'green']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Stack from the bottom up, one goal per object, so each goal only becomes current once
        # the object below is in place (is_match ignores height, docs/task-api.md#metric-pose).
        targets_0 = [(utils.apply(pallet_poses[0], (0, 0, 0.04)), pallet_poses[0][1])]
        self.add_goal(objs=block_ids[0:1], matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the red block on the pallet')

        targets_1 = [(utils.apply(pallet_poses[0], (0, 0, 0.08)), pallet_poses[0][1])]
        self.add_goal(objs=block_ids[1:2], matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the blue block on the red block')

        targets_2 = [(utils.apply(pallet_poses[0], (0, 0, 0.12)), pallet_poses[0][1])]
        self.add_goal(objs=block_ids[2:3], matches=np.ones((1, 1)), targ_poses=targets_2,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the green block on the blue block')
