import os
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class RelationGreenBallBlueBall(Task):
    """Put the green ball next to the blue ball.

    Written by the offline rule-based generator from the idea:
    'put the green ball next to the blue ball'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the green ball next to the blue ball'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The green ball (ball-template, 4 x 4 x 4 cm).
        green_ball_size = (0.04, 0.04, 0.04)
        green_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        green_ball_ids = []
        for color in ['green']:
            pose = self.get_random_pose(env, green_ball_size)
            green_ball_ids.append(env.add_object(green_ball_urdf, pose, color=utils.COLORS[color]))

        # The blue ball with room for what goes next to (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.06, 0.13, 0))[0]
        blue_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        blue_ball_poses = [((region_0[0] + 0.0, region_0[1] + -0.035, 0.02), (0, 0, 0, 1))]
        blue_ball_ids = []
        blue_ball_ids.append(env.add_object(blue_ball_urdf, blue_ball_poses[0], color=utils.COLORS['blue']))

        # Goal: put the green ball next to the blue ball.
        reference_0 = p.getBasePositionAndOrientation(blue_ball_ids[0])[0]
        targets_0 = [((reference_0[0] + 0.0, reference_0[1] + 0.07, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=green_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the green ball next to the blue ball')
