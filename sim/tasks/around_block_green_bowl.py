import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class AroundBlockGreenBowl(Task):
    """Put the four blocks around the green bowl.

    Written by the offline rule-based generator from the idea:
    'arrange four blocks around the green bowl'
    """

    def __init__(self):
        super().__init__()
        # 4 pick-and-place actions plus one spare.
        self.max_steps = 5
        self.lang_template = 'put the four blocks around the green bowl'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Four blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'blue', 'yellow', 'orange']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The green bowl with room for what goes around (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.313, 0.313, 0))[0]
        green_bowl_poses = [((region_0[0] + 0.0, region_0[1] + 0.0, 0.0), (0, 0, 0, 1))]
        env.add_object('bowl/bowl.urdf', green_bowl_poses[0], 'fixed', color=utils.COLORS['green'])

        # Goal: put the four blocks around the green bowl.
        reference_0 = green_bowl_poses[0][0]
        targets_0 = [
            ((reference_0[0] + 0.0, reference_0[1] + 0.1183, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + -0.1183, reference_0[1] + 0.0, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + -0.0, reference_0[1] + -0.1183, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + 0.1183, reference_0[1] + -0.0, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=block_ids, matches=np.ones((4, 4)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2] * 4,
                      language_goal='put the four blocks around the green bowl')
