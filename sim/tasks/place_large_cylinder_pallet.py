import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceLargeCylinderPallet(Task):
    """Put the large cylinder on the pallet.

    Written by the offline rule-based generator from the idea:
    'put the large cylinder on the pallet'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the large cylinder on the pallet'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The pallet (pallet, 30 x 25 x 4 cm).
        pallet_size = (0.3, 0.25, 0.04)
        pallet_poses = []
        for color in [None]:
            pose = self.get_random_pose(env, pallet_size)
            env.add_object('pallet/pallet.urdf', pose, 'fixed')
            pallet_poses.append(pose)

        # The large cylinder (cylinder-template, 5 x 5 x 5 cm).
        large_cylinder_size = (0.05, 0.05, 0.05)
        large_cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.025, 0.025, 0.05)})
        large_cylinder_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, large_cylinder_size)
            large_cylinder_ids.append(env.add_object(large_cylinder_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the large cylinder on the pallet.
        targets_0 = [(utils.apply(pallet_poses[0], (0.0, 0.0, 0.045)), pallet_poses[0][1])]
        self.add_goal(objs=large_cylinder_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the large cylinder on the pallet')
