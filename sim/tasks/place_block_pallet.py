import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBlockPallet(Task):
    """Put the two blocks on the pallet.

    Written by the offline rule-based generator from the idea:
    'put each cube on the pallet'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the two blocks on the pallet'
        self.task_completed_desc = 'done placing.'
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
        block_ids = []
        for color in ['red', 'blue']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Goal: put the two blocks on the pallet (spaced slots, one object each).
        targets_0 = [
            (utils.apply(pallet_poses[0], (-0.035, 0.0, 0.04)), pallet_poses[0][1]),
            (utils.apply(pallet_poses[0], (0.035, 0.0, 0.04)), pallet_poses[0][1])]
        self.add_goal(objs=block_ids, matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2] * 2,
                      language_goal='put the two blocks on the pallet')
