import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class RelationYellowBallStand(Task):
    """Put the yellow ball in front of the stand (as seen in the video).

    Written by the offline rule-based generator from the idea:
    'put the yellow ball in front of the stand'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the yellow ball in front of the stand (as seen in the video)'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The yellow ball (ball-template, 4 x 4 x 4 cm).
        yellow_ball_size = (0.04, 0.04, 0.04)
        yellow_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        yellow_ball_ids = []
        for color in ['yellow']:
            pose = self.get_random_pose(env, yellow_ball_size)
            yellow_ball_ids.append(env.add_object(yellow_ball_urdf, pose, color=utils.COLORS[color]))

        # The stand with room for what goes in front (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.248, 0.178, 0))[0]
        stand_poses = [((region_0[0] + -0.035, region_0[1] + 0.0, 0.0025), (0, 0, 0, 1))]
        env.add_object('stacking/stand.urdf', stand_poses[0], 'fixed')

        # Goal: put the yellow ball in front of the stand (as seen in the video: left is -y, front is +x).
        reference_0 = stand_poses[0][0]
        targets_0 = [((reference_0[0] + 0.1291, reference_0[1] + 0.0, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=yellow_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the yellow ball in front of the stand')
