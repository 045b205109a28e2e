import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceRedBallStand(Task):
    """Put the red ball on the stand.

    Written by the offline rule-based generator from the idea:
    'put the red ball on the stand'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the red ball on the stand'
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

        # The red ball (ball-template, 4 x 4 x 4 cm).
        red_ball_size = (0.04, 0.04, 0.04)
        red_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        red_ball_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, red_ball_size)
            red_ball_ids.append(env.add_object(red_ball_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the red ball on the stand.
        targets_0 = [(utils.apply(stand_poses[0], (0.0, 0.0, 0.025)), stand_poses[0][1])]
        self.add_goal(objs=red_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the red ball on the stand')
