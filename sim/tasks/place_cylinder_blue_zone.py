import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceCylinderBlueZone(Task):
    """Put the three cylinders in the blue zone.

    Written by the offline rule-based generator from the idea:
    'put three cylinders in the blue zone'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'put the three cylinders in the blue zone'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Three cylinders (cylinder-template, 4 x 4 x 4 cm).
        cylinder_size = (0.04, 0.04, 0.04)
        cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        cylinder_ids = []
        for color in ['red', 'green', 'yellow']:
            pose = self.get_random_pose(env, cylinder_size)
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

        # The blue zone (zone, 12 x 12 cm).
        blue_zone_size = (0.12, 0.12, 0)
        blue_zone_poses = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            blue_zone_poses.append(pose)

        # Goal: put the three cylinders in the blue zone (spaced slots, one object each).
        targets_0 = [
            (utils.apply(blue_zone_poses[0], (-0.025, -0.025, 0.02)), blue_zone_poses[0][1]),
            (utils.apply(blue_zone_poses[0], (0.025, -0.025, 0.02)), blue_zone_poses[0][1]),
            (utils.apply(blue_zone_poses[0], (-0.025, 0.025, 0.02)), blue_zone_poses[0][1])]
        self.add_goal(objs=cylinder_ids, matches=np.ones((3, 3)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 3,
                      language_goal='put the three cylinders in the blue zone')
