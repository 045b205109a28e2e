import os
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class RelationGreenBlockYellowBlock(Task):
    """Put the green block to the right of the yellow block (as seen in the video).

    Written by the offline rule-based generator from the idea:
    'place the green block to the right of the yellow block'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the green block to the right of the yellow block (as seen in the video)'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The green block (block, 4 x 4 x 4 cm).
        green_block_size = (0.04, 0.04, 0.04)
        green_block_ids = []
        for color in ['green']:
            pose = self.get_random_pose(env, green_block_size)
            green_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The yellow block with room for what goes to the right (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.077, 0.163, 0))[0]
        yellow_block_poses = [((region_0[0] + 0.0, region_0[1] + -0.0433, 0.02), (0, 0, 0, 1))]
        yellow_block_ids = []
        yellow_block_ids.append(env.add_object('stacking/block.urdf', yellow_block_poses[0], color=utils.COLORS['yellow']))

        # Goal: put the green block to the right of the yellow block (as seen in the video: left is -y, front is +x).
        reference_0 = p.getBasePositionAndOrientation(yellow_block_ids[0])[0]
        targets_0 = [((reference_0[0] + 0.0, reference_0[1] + 0.0866, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=green_block_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2],
                      language_goal='put the green block to the right of the yellow block')
