import os
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class StackGreenBlockRedBlockBlueBlock(Task):
    """Stack the green block, then the red block on the blue block (bottom to top).

    Written by the offline rule-based generator from the idea:
    'stack the red block on the green block on the blue block'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'stack the green block, then the red block on the blue block (bottom to top)'
        self.task_completed_desc = 'done stacking.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The green block (block, 4 x 4 x 4 cm).
        green_block_size = (0.04, 0.04, 0.04)
        green_block_ids = []
        for color in ['green']:
            pose = self.get_random_pose(env, green_block_size)
            green_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The red block (block, 4 x 4 x 4 cm).
        red_block_size = (0.04, 0.04, 0.04)
        red_block_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, red_block_size)
            red_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The blue block (block, 4 x 4 x 4 cm).
        blue_block_size = (0.04, 0.04, 0.04)
        blue_block_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_block_size)
            blue_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Stack from the bottom up, one goal per object, so each goal only becomes current once
        # the object below is in place (is_match ignores height, docs/task-api.md#metric-pose).
        targets_0 = [
            (utils.apply(p.getBasePositionAndOrientation(blue_block_ids[0]), (0, 0, 0.04)), p.getBasePositionAndOrientation(blue_block_ids[0])[1])]
        self.add_goal(objs=green_block_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[np.pi / 2],
                      language_goal='put the green block on the blue block')

        targets_1 = [
            (utils.apply(p.getBasePositionAndOrientation(blue_block_ids[0]), (0, 0, 0.08)), p.getBasePositionAndOrientation(blue_block_ids[0])[1])]
        self.add_goal(objs=red_block_ids, matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[np.pi / 2],
                      language_goal='put the red block on the green block')
