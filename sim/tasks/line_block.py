import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class LineBlock(Task):
    """Line up the five blocks along a line.

    Written by the offline rule-based generator from the idea:
    'put five blocks in a row'
    """

    def __init__(self):
        super().__init__()
        # 5 pick-and-place actions plus one spare.
        self.max_steps = 6
        self.lang_template = 'line up the five blocks along a line'
        self.task_completed_desc = 'done lining up.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Five blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'blue', 'green', 'yellow', 'orange']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # A black line marks the row.
        line_size = (0.3, 0.06, 0)
        line_pose = self.get_random_pose(env, line_size)
        line_urdf = self.fill_template('line/line-template.urdf', {'DIM': (0.3, 0.01, 0.001)})
        env.add_object(line_urdf, line_pose, 'fixed', color=utils.COLORS['black'])

        # Goal: line up the five blocks along the line, 6 cm apart.
        targets_0 = [
            (utils.apply(line_pose, (-0.12, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (-0.06, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (0.0, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (0.06, 0, 0.02)), line_pose[1]),
            (utils.apply(line_pose, (0.12, 0, 0.02)), line_pose[1])]
        self.add_goal(objs=block_ids, matches=np.ones((5, 5)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2] * 5,
                      language_goal='line up the five blocks along the line')
