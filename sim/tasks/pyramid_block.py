import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PyramidBlock(Task):
    """Build a pyramid from the three blocks.

    Written by the offline rule-based generator from the idea:
    'build a pyramid out of three blocks'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'build a pyramid from the three blocks'
        self.task_completed_desc = 'done building the pyramid.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Build area: a thin grey plate that keeps other objects off the structure's footprint.
        pyramid_base_size = (0.07, 0.17, 0.002)
        pyramid_base_pose = self.get_random_pose(env, pyramid_base_size)
        pyramid_base_urdf = self.fill_template('box/box-template.urdf', {'DIM': pyramid_base_size})
        env.add_object(pyramid_base_urdf, pyramid_base_pose, 'fixed', color=utils.COLORS['gray'])

        # Three blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'blue', 'green']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Pyramid rows (bottom first), each row one goal; blocks of a row may take any of its slots.
        targets_0 = [
            (utils.apply(pyramid_base_pose, (0, -0.025, 0.021)), pyramid_base_pose[1]),
            (utils.apply(pyramid_base_pose, (0, 0.025, 0.021)), pyramid_base_pose[1])]
        self.add_goal(objs=block_ids[0:2], matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=2 / 3, symmetries=[np.pi / 2] * 2,
                      language_goal='put the red block and the blue block on the bottom row of the pyramid')

        targets_1 = [(utils.apply(pyramid_base_pose, (0, 0, 0.061)), pyramid_base_pose[1])]
        self.add_goal(objs=block_ids[2:3], matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the green block on the top row of the pyramid')
