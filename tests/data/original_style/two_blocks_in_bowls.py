import numpy as np
import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
from cliport.tasks.task import Task
from cliport.utils import utils


class TwoBlocksInBowls(Task):
    """Put the yellow block in the yellow bowl and the green block in the green bowl."""

    def __init__(self):
        super().__init__()
        self.max_steps = 4
        self.lang_template = "put the {color} block in the {color} bowl"
        self.task_completed_desc = "done matching blocks and bowls."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)
        colors = ['yellow', 'green']

        # Add bowls.
        bowl_size = (0.12, 0.12, 0)
        bowl_urdf = 'bowl/bowl.urdf'
        bowl_poses = []
        for color in colors:
            bowl_pose = self.get_random_pose(env, bowl_size)
            env.add_object(bowl_urdf, bowl_pose, 'fixed', color=utils.COLORS[color])
            bowl_poses.append(bowl_pose)

        # Add blocks.
        block_size = (0.04, 0.04, 0.04)
        block_urdf = 'stacking/block.urdf'
        blocks = []
        for color in colors:
            block_pose = self.get_random_pose(env, block_size)
            blocks.append(env.add_object(block_urdf, block_pose, color=utils.COLORS[color]))

        # Goal: each block in the bowl of its colour, one goal per colour.
        for i, color in enumerate(colors):
            self.add_goal(objs=[blocks[i]], matches=np.ones((1, 1)), targ_poses=[bowl_poses[i]],
                          replace=False, rotations=False, metric='pose', params=None,
                          step_max_reward=1 / 2, language_goal=self.lang_template.format(color=color))
