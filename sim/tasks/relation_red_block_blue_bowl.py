import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class RelationRedBlockBlueBowl(Task):
    """Put the red block to the left of the blue bowl (as seen in the video).

    Written by the offline rule-based generator from the idea:
    'put the red block to the left of the blue bowl'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the red block to the left of the blue bowl (as seen in the video)'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The red block (block, 4 x 4 x 4 cm).
        red_block_size = (0.04, 0.04, 0.04)
        red_block_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, red_block_size)
            red_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The blue bowl with room for what goes to the left (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.14, 0.227, 0))[0]
        blue_bowl_poses = [((region_0[0] + 0.0, region_0[1] + 0.0433, 0.0), (0, 0, 0, 1))]
        env.add_object('bowl/bowl.urdf', blue_bowl_poses[0], 'fixed', color=utils.COLORS['blue'])

        # Goal: put the red block to the left of the blue bowl (as seen in the video: left is -y, front is +x).
        reference_0 = blue_bowl_poses[0][0]
        targets_0 = [((reference_0[0] + 0.0, reference_0[1] + -0.1183, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=red_block_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2],
                      language_goal='put the red block to the left of the blue bowl')
