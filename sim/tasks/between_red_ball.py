import os
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class BetweenRedBall(Task):
    """Put the red ball between the blue block and the green block.

    Written by the offline rule-based generator from the idea:
    'put the red ball between the blue block and the green block'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the red ball between the blue block and the green block'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The red ball (ball-template, 4 x 4 x 4 cm).
        red_ball_size = (0.04, 0.04, 0.04)
        red_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        red_ball_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, red_ball_size)
            red_ball_ids.append(env.add_object(red_ball_urdf, pose, color=utils.COLORS[color]))

        # The blue block and the green block with room for what goes between (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.077, 0.233, 0))[0]
        blue_block_poses = [((region_0[0] + 0.0, region_0[1] + -0.0783, 0.02), (0, 0, 0, 1))]
        blue_block_ids = []
        blue_block_ids.append(env.add_object('stacking/block.urdf', blue_block_poses[0], color=utils.COLORS['blue']))
        green_block_poses = [((region_0[0] + 0.0, region_0[1] + 0.0783, 0.02), (0, 0, 0, 1))]
        green_block_ids = []
        green_block_ids.append(env.add_object('stacking/block.urdf', green_block_poses[0], color=utils.COLORS['green']))

        # Goal: put the red ball between the blue block and the green block: the midpoint of the two.
        ends_0 = (p.getBasePositionAndOrientation(blue_block_ids[0])[0], p.getBasePositionAndOrientation(green_block_ids[0])[0])
        targets_0 = [
            (((ends_0[0][0] + ends_0[1][0]) / 2, (ends_0[0][1] + ends_0[1][1]) / 2, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=red_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the red ball between the blue block and the green block')
