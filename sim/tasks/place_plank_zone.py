import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlacePlankZone(Task):
    """Put the plank in the zone.

    Written by the offline rule-based generator from the idea:
    'put the plank in the zone'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the plank in the zone'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The plank (box-template, 12 x 4 x 2 cm).
        plank_size = (0.12, 0.04, 0.02)
        plank_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.12, 0.04, 0.02)})
        plank_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, plank_size)
            plank_ids.append(env.add_object(plank_urdf, pose, color=utils.COLORS[color]))

        # The zone (zone, 12 x 12 cm).
        zone_size = (0.12, 0.12, 0)
        zone_poses = []
        for color in ['green']:
            pose = self.get_random_pose(env, zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            zone_poses.append(pose)

        # Goal: put the plank in the zone.
        targets_0 = [(utils.apply(zone_poses[0], (0.0, 0.0, 0.01)), zone_poses[0][1])]
        self.add_goal(objs=plank_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi],
                      language_goal='put the plank in the zone')
