import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class RemoveBlock(Task):
    """Move the two blocks off the pallet onto free spots on the table.

    Written by the offline rule-based generator from the idea:
    'move every block off the pallet onto the table'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'move the two blocks off the pallet onto free spots on the table'
        self.task_completed_desc = 'done moving.'
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

        # Two blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        # They start on the pallet.
        block_starts = [(-0.035, 0.0, 0.042), (0.035, 0.0, 0.042)]
        block_ids = []
        for k, color in enumerate(['red', 'blue']):
            pose = (utils.apply(pallet_poses[0], block_starts[k]), pallet_poses[0][1])
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Goal: move the two blocks off the pallet onto the table: a free stretch of table, found now that everything is spawned.
        spots_0 = self.get_random_pose(env, (0.16, 0.09, 0))
        targets_0 = [
            (utils.apply(spots_0, (-0.035, 0, 0.02)), spots_0[1]),
            (utils.apply(spots_0, (0.035, 0, 0.02)), spots_0[1])]
        self.add_goal(objs=block_ids, matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2] * 2,
                      language_goal='move the two blocks off the pallet onto the table')
