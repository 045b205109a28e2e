import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class DistributeRedBlockBlueBlockZone(Task):
    """Put 2 of the two red blocks and the two blue blocks in each of the two zones.

    Written by the offline rule-based generator from the idea:
    'put a red block and a blue block in each of the two zones'
    """

    def __init__(self):
        super().__init__()
        # 4 pick-and-place actions plus one spare.
        self.max_steps = 5
        self.lang_template = 'put 2 of the two red blocks and the two blue blocks in each of the two zones'
        self.task_completed_desc = 'done distributing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Two red blocks (block, 4 x 4 x 4 cm).
        red_block_size = (0.04, 0.04, 0.04)
        red_block_ids = []
        for color in ['red', 'red']:
            pose = self.get_random_pose(env, red_block_size)
            red_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Two blue blocks (block, 4 x 4 x 4 cm).
        blue_block_size = (0.04, 0.04, 0.04)
        blue_block_ids = []
        for color in ['blue', 'blue']:
            pose = self.get_random_pose(env, blue_block_size)
            blue_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Two zones (zone, 12 x 12 cm).
        zone_size = (0.12, 0.12, 0)
        zone_poses = []
        for color in ['green', 'green']:
            pose = self.get_random_pose(env, zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            zone_poses.append(pose)

        # Goal: 2 objects in each zone, one goal per zone.
        targets_0 = [
            (utils.apply(zone_poses[0], (-0.025, 0.0, 0.02)), zone_poses[0][1]),
            (utils.apply(zone_poses[0], (0.025, 0.0, 0.02)), zone_poses[0][1])]
        self.add_goal(objs=red_block_ids[0:1] + blue_block_ids[0:1], matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[np.pi / 2] * 2,
                      language_goal='put a red block and a blue block in zone 1')

        targets_1 = [
            (utils.apply(zone_poses[1], (-0.025, 0.0, 0.02)), zone_poses[1][1]),
            (utils.apply(zone_poses[1], (0.025, 0.0, 0.02)), zone_poses[1][1])]
        self.add_goal(objs=red_block_ids[1:2] + blue_block_ids[1:2], matches=np.ones((2, 2)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[np.pi / 2] * 2,
                      language_goal='put a red block and a blue block in zone 2')
