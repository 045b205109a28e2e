import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class BetweenOrangeCylinder(Task):
    """Put the orange cylinder between the red bowl and the blue bowl.

    Written by the offline rule-based generator from the idea:
    'place the orange cylinder between the red bowl and the blue bowl'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the orange cylinder between the red bowl and the blue bowl'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The orange cylinder (cylinder-template, 4 x 4 x 4 cm).
        orange_cylinder_size = (0.04, 0.04, 0.04)
        orange_cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        orange_cylinder_ids = []
        for color in ['orange']:
            pose = self.get_random_pose(env, orange_cylinder_size)
            orange_cylinder_ids.append(env.add_object(orange_cylinder_urdf, pose, color=utils.COLORS[color]))

        # The red bowl and the blue bowl with room for what goes between (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.14, 0.36, 0))[0]
        red_bowl_poses = [((region_0[0] + 0.0, region_0[1] + -0.11, 0.0), (0, 0, 0, 1))]
        env.add_object('bowl/bowl.urdf', red_bowl_poses[0], 'fixed', color=utils.COLORS['red'])
        blue_bowl_poses = [((region_0[0] + 0.0, region_0[1] + 0.11, 0.0), (0, 0, 0, 1))]
        env.add_object('bowl/bowl.urdf', blue_bowl_poses[0], 'fixed', color=utils.COLORS['blue'])

        # Goal: put the orange cylinder between the red bowl and the blue bowl: the midpoint of the two.
        ends_0 = (red_bowl_poses[0][0], blue_bowl_poses[0][0])
        targets_0 = [
            (((ends_0[0][0] + ends_0[1][0]) / 2, (ends_0[0][1] + ends_0[1][1]) / 2, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=orange_cylinder_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the orange cylinder between the red bowl and the blue bowl')
