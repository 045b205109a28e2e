import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class LineBall(Task):
    """Line up the two balls along a line.

    Written by the offline rule-based generator from the idea:
    'put two balls on the line'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'line up the two balls along a line'
        self.task_completed_desc = 'done lining up.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Two balls (ball-template, 4 x 4 x 4 cm).
        ball_size = (0.04, 0.04, 0.04)
        ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        ball_ids = []
        for color in ['red', 'blue']:
            pose = self.get_random_pose(env, ball_size)
            ball_ids.append(env.add_object(ball_urdf, pose, color=utils.COLORS[color]))

        # A black line marks the row.
        line_size = (0.12, 0.06, 0)
        line_pose = self.get_random_pose(env, line_size)
        line_urdf = self.fill_template('line/line-template.urdf', {'DIM': (0.12, 0.01, 0.001)})
        env.add_object(line_urdf, line_pose, 'fixed', color=utils.COLORS['black'])

        # Goal: line up the two balls along the line, 6 cm apart.
        targets_0 = [
            (utils.apply(line_pose, (-0.03, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (0.03, 0, 0.02)), line_pose[1])]
        self.add_goal(objs=ball_ids, matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 2,
                      language_goal='line up the two balls along the line')
