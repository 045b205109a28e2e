import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceCylinderZone(Task):
    """Put the cylinder from the stand in the zone.

    Written by the offline rule-based generator from the idea:
    'move the cylinder from the stand to the zone'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the cylinder from the stand in the zone'
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
        # They start on the stand.
        cylinder_starts = [(0.0, 0.0, 0.027)]
        cylinder_ids = []
        for k, color in enumerate(['red']):
            pose = (utils.apply(stand_poses[0], cylinder_starts[k]), stand_poses[0][1])
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

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
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the cylinder in the zone')
