import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceGrayCylinderGoldPallet(Task):
    """Put the gray cylinder on the gold pallet.

    Written by the offline rule-based generator from the idea:
    'put the gray cylinder on the gold pallet'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the gray cylinder on the gold pallet'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The gold pallet (pallet, 30 x 25 x 4 cm).
        gold_pallet_size = (0.3, 0.25, 0.04)
        gold_pallet_poses = []
        for color in ['gold']:
            pose = self.get_random_pose(env, gold_pallet_size)
            env.add_object('pallet/pallet.urdf', pose, 'fixed', color=utils.COLORS[color])
            gold_pallet_poses.append(pose)

        # The gray cylinder (cylinder-template, 4 x 4 x 4 cm).
        gray_cylinder_size = (0.04, 0.04, 0.04)
        gray_cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        gray_cylinder_ids = []
        for color in ['gray']:
            pose = self.get_random_pose(env, gray_cylinder_size)
            gray_cylinder_ids.append(env.add_object(gray_cylinder_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the gray cylinder on the gold pallet.
        targets_0 = [(utils.apply(gold_pallet_poses[0], (0.0, 0.0, 0.04)), gold_pallet_poses[0][1])]
        self.add_goal(objs=gray_cylinder_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the gray cylinder on the gold pallet')
