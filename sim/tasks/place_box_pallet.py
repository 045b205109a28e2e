import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBoxPallet(Task):
    """Put the box from the zone on the pallet.

    Written by the offline rule-based generator from the idea:
    'move the box from the zone onto the pallet'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the box from the zone on the pallet'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The zone (zone, 12 x 12 cm).
        zone_size = (0.12, 0.12, 0)
        zone_poses = []
        for color in ['green']:
            pose = self.get_random_pose(env, zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            zone_poses.append(pose)

        # The pallet (pallet, 30 x 25 x 4 cm).
        pallet_size = (0.3, 0.25, 0.04)
        pallet_poses = []
        for color in [None]:
            pose = self.get_random_pose(env, pallet_size)
            env.add_object('pallet/pallet.urdf', pose, 'fixed')
            pallet_poses.append(pose)

        # The box (box-template, 5 x 5 x 5 cm).
        box_size = (0.05, 0.05, 0.05)
        box_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.05, 0.05, 0.05)})
        # They start on the zone.
        box_starts = [(0.0, 0.0, 0.027)]
        box_ids = []
        for k, color in enumerate(['red']):
            pose = (utils.apply(zone_poses[0], box_starts[k]), zone_poses[0][1])
            box_ids.append(env.add_object(box_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the box on the pallet.
        targets_0 = [(utils.apply(pallet_poses[0], (0.0, 0.0, 0.045)), pallet_poses[0][1])]
        self.add_goal(objs=box_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2],
                      language_goal='put the box on the pallet')
