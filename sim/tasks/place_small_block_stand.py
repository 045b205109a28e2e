import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceSmallBlockStand(Task):
    """Put the two small blocks on the stand.

    Written by the offline rule-based generator from the idea:
    'put two tiny blocks on the stand'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the two small blocks on the stand'
        self.task_completed_desc = 'done placing.'
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

        # Two small blocks (box-template, 3 x 3 x 3 cm).
        small_block_size = (0.03, 0.03, 0.03)
        small_block_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.03, 0.03, 0.03)})
        small_block_ids = []
        for color in ['red', 'blue']:
            pose = self.get_random_pose(env, small_block_size)
            small_block_ids.append(env.add_object(small_block_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the two small blocks on the stand (spaced slots, one object each).
        targets_0 = [
            (utils.apply(stand_poses[0], (0.0, -0.05, 0.02)), stand_poses[0][1]),
            (utils.apply(stand_poses[0], (0.0, 0.0, 0.02)), stand_poses[0][1])]
        self.add_goal(objs=small_block_ids, matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2] * 2,
                      language_goal='put the two small blocks on the stand')
