import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceGreenCylinderBlueBowl(Task):
    """Put the green cylinder in the blue bowl.

    Written by the offline rule-based generator from the idea:
    'put the green cylinder in the blue bowl'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the green cylinder in the blue bowl'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()
        # Anything inside a bowl counts (5 cm), as additional_reset does for bowl tasks.
        self.pos_eps = 0.05

    def reset(self, env):
        super().reset(env)

        # The blue bowl (bowl, 12 x 12 cm).
        blue_bowl_size = (0.12, 0.12, 0)
        blue_bowl_poses = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_bowl_size)
            env.add_object('bowl/bowl.urdf', pose, 'fixed', color=utils.COLORS[color])
            blue_bowl_poses.append(pose)

        # The green cylinder (cylinder-template, 4 x 4 x 4 cm).
        green_cylinder_size = (0.04, 0.04, 0.04)
        green_cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        green_cylinder_ids = []
        for color in ['green']:
            pose = self.get_random_pose(env, green_cylinder_size)
            green_cylinder_ids.append(env.add_object(green_cylinder_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the green cylinder in the blue bowl.
        targets_0 = [(utils.apply(blue_bowl_poses[0], (0.0, 0.0, 0.02)), blue_bowl_poses[0][1])]
        self.add_goal(objs=green_cylinder_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the green cylinder in the blue bowl')
