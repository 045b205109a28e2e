import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceCylinderZonePlaceBlockStand(Task):
    """Put the cylinder in the zone; then put the block on the stand.

    Written by the offline rule-based generator from the idea:
    'put the cylinder in the zone, then put the block on the stand'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the cylinder in the zone; then put the block on the stand'
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

        # The cylinder (cylinder-template, 4 x 4 x 4 cm).
        cylinder_size = (0.04, 0.04, 0.04)
        cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        cylinder_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, cylinder_size)
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

        # The block (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The zone (zone, 12 x 12 cm).
        zone_size = (0.12, 0.12, 0)
        zone_poses = []
        for color in ['green']:
            pose = self.get_random_pose(env, zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            zone_poses.append(pose)

        # Goal: put the cylinder in the zone.
        targets_0 = [(utils.apply(zone_poses[0], (0.0, 0.0, 0.02)), zone_poses[0][1])]
        self.add_goal(objs=cylinder_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0],
                      language_goal='put the cylinder in the zone')

        # Goal: put the block on the stand.
        targets_1 = [(utils.apply(stand_poses[0], (0.0, 0.0, 0.025)), stand_poses[0][1])]
        self.add_goal(objs=block_ids, matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[np.pi / 2],
                      language_goal='put the block on the stand')
