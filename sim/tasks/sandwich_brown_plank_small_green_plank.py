import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class SandwichBrownPlankSmallGreenPlank(Task):
    """Build a sandwich from the two brown planks and the small green plank.

    Written by the offline rule-based generator from the idea:
    'make a sandwich'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'build a sandwich from the two brown planks and the small green plank'
        self.task_completed_desc = 'done building.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Build area: a thin grey plate that keeps other objects off the structure's footprint.
        sandwich_base_size = (0.12, 0.12, 0.002)
        sandwich_base_pose = self.get_random_pose(env, sandwich_base_size)
        sandwich_base_urdf = self.fill_template('box/box-template.urdf', {'DIM': sandwich_base_size})
        env.add_object(sandwich_base_urdf, sandwich_base_pose, 'fixed', color=utils.COLORS['gray'])

        # Two brown planks (box-template, 12 x 4 x 2 cm).
        brown_plank_size = (0.12, 0.04, 0.02)
        brown_plank_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.12, 0.04, 0.02)})
        brown_plank_ids = []
        for color in ['brown', 'brown']:
            pose = self.get_random_pose(env, brown_plank_size)
            brown_plank_ids.append(env.add_object(brown_plank_urdf, pose, color=utils.COLORS[color]))

        # The small green plank (box-template, 7 x 7 x 1.5 cm).
        small_green_plank_size = (0.07, 0.07, 0.015)
        small_green_plank_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.07, 0.07, 0.015)})
        small_green_plank_ids = []
        for color in ['green']:
            pose = self.get_random_pose(env, small_green_plank_size)
            small_green_plank_ids.append(env.add_object(small_green_plank_urdf, pose, color=utils.COLORS[color]))

        # Build the sandwich bottom-up: one goal per layer.
        targets_0 = [(utils.apply(sandwich_base_pose, (0, 0, 0.012)), sandwich_base_pose[1])]
        self.add_goal(objs=brown_plank_ids[0:1], matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi],
                      language_goal='put a brown plank as the bottom of the sandwich')

        targets_1 = [(utils.apply(sandwich_base_pose, (0, 0, 0.0295)), sandwich_base_pose[1])]
        self.add_goal(objs=small_green_plank_ids, matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi / 2],
                      language_goal='put the small green plank in the middle of the sandwich')

        targets_2 = [(utils.apply(sandwich_base_pose, (0, 0, 0.047)), sandwich_base_pose[1])]
        self.add_goal(objs=brown_plank_ids[1:2], matches=np.ones((1, 1)), targ_poses=targets_2,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi],
                      language_goal='put a brown plank on top of the sandwich')
