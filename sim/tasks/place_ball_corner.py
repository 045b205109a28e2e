import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBallCorner(Task):
    """Put the ball on the corner.

    Written by the offline rule-based generator from the idea:
    'put the ball in the corner'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the ball on the corner'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The ball (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

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
        self.add_goal(objs=ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the ball in the corner')
