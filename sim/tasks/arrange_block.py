import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class ArrangeBlock(Task):
    """Arrange the four blocks in a square.

    Written by the offline rule-based generator from the idea:
    'arrange four blocks in a square'
    """

    def __init__(self):
        super().__init__()
        # 4 pick-and-place actions plus one spare.
        self.max_steps = 5
        self.lang_template = 'arrange the four blocks in a square'
        self.task_completed_desc = 'done arranging.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Four blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'blue', 'green', 'yellow']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The centre of the arrangement (free space around it).
        square_center_size = (0.16, 0.16, 0)
        square_center_pose = self.get_random_pose(env, square_center_size)

        # Goal: arrange the four blocks in a square, 8 cm apart; a corner marker shows each spot.
        targets_0 = [
            (utils.apply(square_center_pose, (-0.04, -0.04, 0.02)), square_center_pose[1]),
            (utils.apply(square_center_pose, (-0.04, 0.04, 0.02)), square_center_pose[1]),
            (utils.apply(square_center_pose, (0.04, 0.04, 0.02)), square_center_pose[1]),
            (utils.apply(square_center_pose, (0.04, -0.04, 0.02)), square_center_pose[1])]
        self.add_goal(objs=block_ids, matches=np.ones((4, 4)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2] * 4,
                      language_goal='arrange the four blocks in a square')

        for target in targets_0:
            self.add_corner_anchor_for_pose(env, target)
