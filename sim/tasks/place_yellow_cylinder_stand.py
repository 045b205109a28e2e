import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceYellowCylinderStand(Task):
    """Put the two yellow cylinders on the stand.

    Written by the offline rule-based generator from the idea:
    'put two yellow cylinders on the stand'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the two yellow cylinders on the stand'
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

        # Two yellow cylinders (cylinder-template, 4 x 4 x 4 cm).
        yellow_cylinder_size = (0.04, 0.04, 0.04)
        yellow_cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        yellow_cylinder_ids = []
        for color in ['yellow', 'yellow']:
            pose = self.get_random_pose(env, yellow_cylinder_size)
            yellow_cylinder_ids.append(env.add_object(yellow_cylinder_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the two yellow cylinders on the stand (spaced slots, one object each).
        targets_0 = [
            (utils.apply(stand_poses[0], (0.0, -0.05, 0.025)), stand_poses[0][1]),
            (utils.apply(stand_poses[0], (0.0, 0.0, 0.025)), stand_poses[0][1])]
        self.add_goal(objs=yellow_cylinder_ids, matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 2,
                      language_goal='put the two yellow cylinders on the stand')
