import os
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class RelationPurpleBallOrangeBlock(Task):
    """Put the purple ball next to the orange block.

    Written by the offline rule-based generator from the idea:
    'put the purple ball beside the orange block'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the purple ball next to the orange block'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The purple ball (ball-template, 4 x 4 x 4 cm).
        purple_ball_size = (0.04, 0.04, 0.04)
        purple_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        purple_ball_ids = []
        for color in ['purple']:
            pose = self.get_random_pose(env, purple_ball_size)
            purple_ball_ids.append(env.add_object(purple_ball_urdf, pose, color=utils.COLORS[color]))

        # The orange block with room for what goes next to (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.077, 0.147, 0))[0]
        orange_block_poses = [((region_0[0] + 0.0, region_0[1] + -0.035, 0.02), (0, 0, 0, 1))]
        orange_block_ids = []
        orange_block_ids.append(env.add_object('stacking/block.urdf', orange_block_poses[0], color=utils.COLORS['orange']))

        # Goal: put the purple ball next to the orange block.
        reference_0 = p.getBasePositionAndOrientation(orange_block_ids[0])[0]
        targets_0 = [((reference_0[0] + 0.0, reference_0[1] + 0.0783, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=purple_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the purple ball next to the orange block')
