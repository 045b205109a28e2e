import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceRedBlockGreenBowl(Task):
    """Put the two red blocks in the green bowl.

    Written by the offline rule-based generator from the idea:
    'put two red blocks in the green bowl'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the two red blocks in the green bowl'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()
        # Anything inside a bowl counts (5 cm), as additional_reset does for bowl tasks.
        self.pos_eps = 0.05

    def reset(self, env):
        super().reset(env)

        # The green bowl (bowl, 12 x 12 cm).
        green_bowl_size = (0.12, 0.12, 0)
        green_bowl_poses = []
        for color in ['green']:
            pose = self.get_random_pose(env, green_bowl_size)
            env.add_object('bowl/bowl.urdf', pose, 'fixed', color=utils.COLORS[color])
            green_bowl_poses.append(pose)

        # Two red blocks (block, 4 x 4 x 4 cm).
        red_block_size = (0.04, 0.04, 0.04)
        red_block_ids = []
        for color in ['red', 'red']:
            pose = self.get_random_pose(env, red_block_size)
            red_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Goal: put the two red blocks in the green bowl.
        targets_0 = [(utils.apply(green_bowl_poses[0], (0.0, 0.0, 0.02)), green_bowl_poses[0][1])]
        self.add_goal(objs=red_block_ids, matches=np.ones((2, 1)), targ_poses=targets_0,
                      replace=True, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2] * 2,
                      language_goal='put the two red blocks in the green bowl')
