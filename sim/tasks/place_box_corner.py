import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBoxCorner(Task):
    """Put the box on the corner.

    Written by the offline rule-based generator from the idea:
    'put the box in the corner'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the box on the corner'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The box (box-template, 5 x 5 x 5 cm).
        box_size = (0.05, 0.05, 0.05)
        box_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.05, 0.05, 0.05)})
        box_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, box_size)
            box_ids.append(env.add_object(box_urdf, pose, color=utils.COLORS[color]))

        # The corner (corner-template, 10 x 10 cm).
        corner_size = (0.1, 0.1, 0)
        corner_urdf = self.fill_template('corner/corner-template.urdf', {'DIMX': (0.0025, 0.0275), 'DIMY': (0.0275, 0.0025)})
        corner_poses = []
        for color in [None]:
            pose = self.get_random_pose(env, corner_size)
            env.add_object(corner_urdf, pose, 'fixed')
            corner_poses.append(pose)

        # Goal: one corner of the object against the L-shaped marker (as align-box-corner).
        targets_0 = [corner_poses[0]]
        self.add_goal(objs=box_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2],
                      language_goal='put the box in the corner')
