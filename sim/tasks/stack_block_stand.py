import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class StackBlockStand(Task):
    """Stack the red block, then the blue block on the stand (bottom to top).

    Written by the offline rule-based generator from the idea:
    'stack two blocks on the stand'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'stack the red block, then the blue block on the stand (bottom to top)'
        self.task_completed_desc = 'done stacking.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The stand (stand, 5 x 15 x 0.5 cm).
        stand_size = (0.05, 0.15, 0.005)
        stand_poses = []
        for color in [None]:
            pose = self.get_random_pose(env, stand_size)
            env.add_object('stacking/stand.urdf', pose, 'fixed')
            stand_poses.append(pose)

        # Two blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'blue']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Stack from the bottom up, one goal per object, so each goal only becomes current once
        # the object below is in place (is_match ignores height, docs/task-api.md#metric-pose).
        targets_0 = [(utils.apply(stand_poses[0], (0, 0, 0.025)), stand_poses[0][1])]
        self.add_goal(objs=block_ids[0:1], matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[np.pi / 2],
                      language_goal='put the red block on the stand')

        targets_1 = [(utils.apply(stand_poses[0], (0, 0, 0.065)), stand_poses[0][1])]
        self.add_goal(objs=block_ids[1:2], matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[np.pi / 2],
                      language_goal='put the blue block on the red block')
