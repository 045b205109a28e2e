import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class RelationBlockPallet(Task):
    """Put the two blocks to the left of the pallet (as seen in the video).

    Written by the offline rule-based generator from the idea:
    'put two blocks to the left of the pallet'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the two blocks to the left of the pallet (as seen in the video)'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Two blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'blue']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The pallet with room for what goes to the left (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.411, 0.497, 0))[0]
        pallet_poses = [((region_0[0] + 0.0, region_0[1] + 0.0433, 0.02), (0, 0, 0, 1))]
        env.add_object('pallet/pallet.urdf', pallet_poses[0], 'fixed')

        # Goal: put the two blocks to the left of the pallet (as seen in the video: left is -y, front is +x).
        reference_0 = pallet_poses[0][0]
        targets_0 = [
            ((reference_0[0] + 0.0383, reference_0[1] + -0.2536, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + -0.0383, reference_0[1] + -0.2536, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=block_ids, matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2] * 2,
                      language_goal='put the two blocks to the left of the pallet')
