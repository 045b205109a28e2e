import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class DistributeBlockBowl(Task):
    """Put 1 of the three blocks in each of the three bowls.

    Written by the offline rule-based generator from the idea:
    'place a block in every bowl'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'put 1 of the three blocks in each of the three bowls'
        self.task_completed_desc = 'done distributing.'
        self.additional_reset()
        # Anything inside a bowl counts (5 cm), as additional_reset does for bowl tasks.
        self.pos_eps = 0.05

    def reset(self, env):
        super().reset(env)

        # Three bowls (bowl, 12 x 12 cm).
        bowl_size = (0.12, 0.12, 0)
        bowl_poses = []
        for color in ['green', 'green', 'green']:
            pose = self.get_random_pose(env, bowl_size)
            env.add_object('bowl/bowl.urdf', pose, 'fixed', color=utils.COLORS[color])
            bowl_poses.append(pose)

        # Three blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'blue', 'green']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Goal: 1 object in each bowl, one goal per bowl.
        targets_0 = [(utils.apply(bowl_poses[0], (0.0, 0.0, 0.02)), bowl_poses[0][1])]
        self.add_goal(objs=block_ids[0:1], matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the red block in bowl 1')

        targets_1 = [(utils.apply(bowl_poses[1], (0.0, 0.0, 0.02)), bowl_poses[1][1])]
        self.add_goal(objs=block_ids[1:2], matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the blue block in bowl 2')

        targets_2 = [(utils.apply(bowl_poses[2], (0.0, 0.0, 0.02)), bowl_poses[2][1])]
        self.add_goal(objs=block_ids[2:3], matches=np.ones((1, 1)), targ_poses=targets_2,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the green block in bowl 3')
