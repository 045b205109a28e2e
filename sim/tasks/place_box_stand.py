import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBoxStand(Task):
    """Put the box on the stand.

    Written by the offline rule-based generator from the idea:
    'put the box on the stand'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the box on the stand'
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

        # The box (box-template, 5 x 5 x 5 cm).
        box_size = (0.05, 0.05, 0.05)
        box_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.05, 0.05, 0.05)})
        box_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, box_size)
            box_ids.append(env.add_object(box_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the box on the stand.
        targets_0 = [(utils.apply(stand_poses[0], (0.0, 0.0, 0.03)), stand_poses[0][1])]
        self.add_goal(objs=box_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2],
                      language_goal='put the box on the stand')
