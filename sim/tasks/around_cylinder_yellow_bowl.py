import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class AroundCylinderYellowBowl(Task):
    """Put the five cylinders around the yellow bowl.

    Written by the offline rule-based generator from the idea:
    'surround the yellow bowl with five cylinders'
    """

    def __init__(self):
        super().__init__()
        # 5 pick-and-place actions plus one spare.
        self.max_steps = 6
        self.lang_template = 'put the five cylinders around the yellow bowl'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Five cylinders (cylinder-template, 4 x 4 x 4 cm).
        cylinder_size = (0.04, 0.04, 0.04)
        cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        cylinder_ids = []
        for color in ['red', 'blue', 'green', 'orange', 'purple']:
            pose = self.get_random_pose(env, cylinder_size)
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

        # The yellow bowl with room for what goes around (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.269, 0.259, 0))[0]
        yellow_bowl_poses = [((region_0[0] + 0.0, region_0[1] + -0.0105, 0.0), (0, 0, 0, 1))]
        env.add_object('bowl/bowl.urdf', yellow_bowl_poses[0], 'fixed', color=utils.COLORS['yellow'])

        # Goal: put the five cylinders around the yellow bowl.
        reference_0 = yellow_bowl_poses[0][0]
        targets_0 = [
            ((reference_0[0] + 0.0, reference_0[1] + 0.11, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + -0.1046, reference_0[1] + 0.034, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + -0.0647, reference_0[1] + -0.089, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + 0.0647, reference_0[1] + -0.089, 0.02), (0, 0, 0, 1)),
            ((reference_0[0] + 0.1046, reference_0[1] + 0.034, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=cylinder_ids, matches=np.ones((5, 5)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 5,
                      language_goal='put the five cylinders around the yellow bowl')
