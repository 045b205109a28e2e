import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class RelationCylinderZone(Task):
    """Put the cylinder to the right of the zone (as seen in the video).

    Written by the offline rule-based generator from the idea:
    'put the cylinder to the right of the zone'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the cylinder to the right of the zone (as seen in the video)'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The cylinder (cylinder-template, 4 x 4 x 4 cm).
        cylinder_size = (0.04, 0.04, 0.04)
        cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        cylinder_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, cylinder_size)
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

        # The zone with room for what goes to the right (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.19, 0.26, 0))[0]
        zone_poses = [((region_0[0] + 0.0, region_0[1] + -0.035, 0.0), (0, 0, 0, 1))]
        env.add_object('zone/zone.urdf', zone_poses[0], 'fixed', color=utils.COLORS['green'])

        # Goal: put the cylinder to the right of the zone (as seen in the video: left is -y, front is +x).
        reference_0 = zone_poses[0][0]
        targets_0 = [((reference_0[0] + 0.0, reference_0[1] + 0.1349, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=cylinder_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the cylinder to the right of the zone')
