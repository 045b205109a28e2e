import os
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class AroundBallRedBlock(Task):
    """Put the six balls around the red block.

    Written by the offline rule-based generator from the idea:
    'put six balls around the red block'
    """

    def __init__(self):
        super().__init__()
        # 6 pick-and-place actions plus 2 spares (one per six objects).
        self.max_steps = 8
        self.lang_template = 'put the six balls around the red block'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Six balls (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['blue', 'green', 'yellow', 'orange', 'purple', 'cyan']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # The red block with room for what goes around (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.196, 0.217, 0))[0]
        red_block_poses = [((region_0[0] + 0.0, region_0[1] + 0.0, 0.02), (0, 0, 0, 1))]
        red_block_ids = []
        red_block_ids.append(env.add_object('stacking/block.urdf', red_block_poses[0], color=utils.COLORS['red']))

        # Goal: put the six balls around the red block.
        reference_0 = p.getBasePositionAndOrientation(red_block_ids[0])[0]
        targets_0 = [
            ((reference_0[0] + 0.0, reference_0[1] + 0.0783, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + -0.0678, reference_0[1] + 0.0392, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + -0.0678, reference_0[1] + -0.0391, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + -0.0, reference_0[1] + -0.0783, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + 0.0678, reference_0[1] + -0.0392, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + 0.0678, reference_0[1] + 0.0391, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=ball_ids, matches=np.ones((6, 6)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 6,
                      language_goal='put the six balls around the red block')
