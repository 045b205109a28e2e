import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceLargeBlueBlockYellowZone(Task):
    """Put the large blue block in the yellow zone.

    Written by the offline rule-based generator from the idea:
    'put the large blue block in the yellow zone'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the large blue block in the yellow zone'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The large blue block (box-template, 5 x 5 x 5 cm).
        large_blue_block_size = (0.05, 0.05, 0.05)
        large_blue_block_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.05, 0.05, 0.05)})
        large_blue_block_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, large_blue_block_size)
            large_blue_block_ids.append(env.add_object(large_blue_block_urdf, pose, color=utils.COLORS[color]))

        # The yellow zone (zone, 12 x 12 cm).
        yellow_zone_size = (0.12, 0.12, 0)
        yellow_zone_poses = []
        for color in ['yellow']:
            pose = self.get_random_pose(env, yellow_zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            yellow_zone_poses.append(pose)

        # Goal: put the large blue block in the yellow zone.
        targets_0 = [(utils.apply(yellow_zone_poses[0], (0.0, 0.0, 0.025)), yellow_zone_poses[0][1])]
        self.add_goal(objs=large_blue_block_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2],
                      language_goal='put the large blue block in the yellow zone')
