import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class WallBlock(Task):
    """Build a wall (2 rows of 3) from the six blocks.

    Written by the offline rule-based generator from the idea:
    'build a wall out of six blocks'
    """

    def __init__(self):
        super().__init__()
        # 6 pick-and-place actions plus 2 spares (one per six objects).
        self.max_steps = 8
        self.lang_template = 'build a wall (2 rows of 3) from the six blocks'
        self.task_completed_desc = 'done building.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Build area: a thin grey plate that keeps other objects off the structure's footprint.
        wall_base_size = (0.19, 0.08, 0.002)
        wall_base_pose = self.get_random_pose(env, wall_base_size)
        wall_base_urdf = self.fill_template('box/box-template.urdf', {'DIM': wall_base_size})
        env.add_object(wall_base_urdf, wall_base_pose, 'fixed', color=utils.COLORS['gray'])

        # Six blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'blue', 'green', 'yellow', 'orange', 'purple']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Build the wall bottom-up: one goal per layer.
        targets_0 = [
            (utils.apply(wall_base_pose, (-0.05, 0.0, 0.021)), wall_base_pose[1]),
            (utils.apply(wall_base_pose, (0.0, 0.0, 0.021)), wall_base_pose[1]),
            (utils.apply(wall_base_pose, (0.05, 0.0, 0.021)), wall_base_pose[1])]
        self.add_goal(objs=block_ids[0:3], matches=np.ones((3, 3)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[np.pi / 2] * 3,
                      language_goal='put the red block, the blue block and the green block bottom of the wall')

        targets_1 = [
            (utils.apply(wall_base_pose, (-0.05, 0.0, 0.061)), wall_base_pose[1]),
            (utils.apply(wall_base_pose, (0.0, 0.0, 0.061)), wall_base_pose[1]),
            (utils.apply(wall_base_pose, (0.05, 0.0, 0.061)), wall_base_pose[1])]
        self.add_goal(objs=block_ids[3:6], matches=np.ones((3, 3)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[np.pi / 2] * 3,
                      language_goal='put the yellow block, the orange block and the purple block top of the wall')
