import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceYellowBallBlueBowl(Task):
    """Put the yellow ball from the green bowl in the blue bowl.

    Written by the offline rule-based generator from the idea:
    'move the yellow ball from the green bowl to the blue bowl'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the yellow ball from the green bowl in the blue bowl'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()
        # Anything inside a bowl counts (5 cm), as additional_reset does for bowl tasks.
        self.pos_eps = 0.05

    def reset(self, env):
        super().reset(env)

        # The green bowl (bowl, 12 x 12 cm).
        green_bowl_size = (0.12, 0.12, 0)
        green_bowl_poses = []
        for color in ['green']:
            pose = self.get_random_pose(env, green_bowl_size)
            env.add_object('bowl/bowl.urdf', pose, 'fixed', color=utils.COLORS[color])
            green_bowl_poses.append(pose)

        # The blue bowl (bowl, 12 x 12 cm).
        blue_bowl_size = (0.12, 0.12, 0)
        blue_bowl_poses = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_bowl_size)
            env.add_object('bowl/bowl.urdf', pose, 'fixed', color=utils.COLORS[color])
            blue_bowl_poses.append(pose)

        # The yellow ball (ball-template, 4 x 4 x 4 cm).
        yellow_ball_size = (0.04, 0.04, 0.04)
        yellow_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        # They start on the green bowl.
        yellow_ball_starts = [(0.0, 0.0, 0.022)]
        yellow_ball_ids = []
        for k, color in enumerate(['yellow']):
            pose = (utils.apply(green_bowl_poses[0], yellow_ball_starts[k]), green_bowl_poses[0][1])
            yellow_ball_ids.append(env.add_object(yellow_ball_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the yellow ball in the blue bowl.
        targets_0 = [(utils.apply(blue_bowl_poses[0], (0.0, 0.0, 0.02)), blue_bowl_poses[0][1])]
        self.add_goal(objs=yellow_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the yellow ball in the blue bowl')
