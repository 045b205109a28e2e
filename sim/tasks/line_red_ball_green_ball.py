import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class LineRedBallGreenBall(Task):
    """Line up the red ball and the green ball and the blue ball along a line.

    Written by the offline rule-based generator from the idea:
    'arrange the red, green and blue balls in a row'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'line up the red ball and the green ball and the blue ball along a line'
        self.task_completed_desc = 'done lining up.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The red ball (ball-template, 4 x 4 x 4 cm).
        red_ball_size = (0.04, 0.04, 0.04)
        red_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        red_ball_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, red_ball_size)
            red_ball_ids.append(env.add_object(red_ball_urdf, pose, color=utils.COLORS[color]))

        # The green ball (ball-template, 4 x 4 x 4 cm).
        green_ball_size = (0.04, 0.04, 0.04)
        green_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        green_ball_ids = []
        for color in ['green']:
            pose = self.get_random_pose(env, green_ball_size)
            green_ball_ids.append(env.add_object(green_ball_urdf, pose, color=utils.COLORS[color]))

        # The blue ball (ball-template, 4 x 4 x 4 cm).
        blue_ball_size = (0.04, 0.04, 0.04)
        blue_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        blue_ball_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_ball_size)
            blue_ball_ids.append(env.add_object(blue_ball_urdf, pose, color=utils.COLORS[color]))

        # A black line marks the row.
        line_size = (0.18, 0.06, 0)
        line_pose = self.get_random_pose(env, line_size)
        line_urdf = self.fill_template('line/line-template.urdf', {'DIM': (0.18, 0.01, 0.001)})
        env.add_object(line_urdf, line_pose, 'fixed', color=utils.COLORS['black'])

        # Goal: line up the red ball and the green ball and the blue ball along the line, 6 cm apart.
        targets_0 = [
            (utils.apply(line_pose, (-0.06, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (0.0, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (0.06, 0, 0.02)), line_pose[1])]
        self.add_goal(objs=red_ball_ids + green_ball_ids + blue_ball_ids, matches=np.ones((3, 3)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 3,
                      language_goal='line up the red ball and the green ball and the blue ball along the line')
