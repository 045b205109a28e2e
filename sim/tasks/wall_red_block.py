import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class WallRedBlock(Task):
    """Build a wall (3 rows of 2) from the six red blocks.

    Written by the offline rule-based generator from the idea:
    'build a 3x2 wall of red blocks'
    """

    def __init__(self):
        super().__init__()
        # 6 pick-and-place actions plus 2 spares (one per six objects).
        self.max_steps = 8
        self.lang_template = 'build a wall (3 rows of 2) from the six red blocks'
        self.task_completed_desc = 'done building.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Build area: a thin grey plate that keeps other objects off the structure's footprint.
        wall_base_size = (0.14, 0.08, 0.002)
        wall_base_pose = self.get_random_pose(env, wall_base_size)
        wall_base_urdf = self.fill_template('box/box-template.urdf', {'DIM': wall_base_size})
        env.add_object(wall_base_urdf, wall_base_pose, 'fixed', color=utils.COLORS['gray'])

        # Six red blocks (block, 4 x 4 x 4 cm).
        red_block_size = (0.04, 0.04, 0.04)
        red_block_ids = []
        for color in ['red', 'red', 'red', 'red', 'red', 'red']:
            pose = self.get_random_pose(env, red_block_size)
            red_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Build the wall bottom-up: one goal per layer.
        targets_0 = [
            (utils.apply(wall_base_pose, (-0.025, 0.0, 0.021)), wall_base_pose[1]),
            (utils.apply(wall_base_pose, (0.025, 0.0, 0.021)), wall_base_pose[1])]
        self.add_goal(objs=red_block_ids[0:2], matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2] * 2,
                      language_goal='put a red block and a red block bottom of the wall')

        targets_1 = [
            (utils.apply(wall_base_pose, (-0.025, 0.0, 0.061)), wall_base_pose[1]),
            (utils.apply(wall_base_pose, (0.025, 0.0, 0.061)), wall_base_pose[1])]
        self.add_goal(objs=red_block_ids[2:4], matches=np.ones((2, 2)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2] * 2,
                      language_goal='put a red block and a red block second of the wall')

        targets_2 = [
            (utils.apply(wall_base_pose, (-0.025, 0.0, 0.101)), wall_base_pose[1]),
            (utils.apply(wall_base_pose, (0.025, 0.0, 0.101)), wall_base_pose[1])]
        self.add_goal(objs=red_block_ids[4:6], matches=np.ones((2, 2)), targ_poses=targets_2,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2] * 2,
                      language_goal='put a red block and a red block third of the wall')
