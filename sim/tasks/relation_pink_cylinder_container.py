import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class RelationPinkCylinderContainer(Task):
    """Put the pink cylinder next to the container.

    Written by the offline rule-based generator from the idea:
    'put the pink cylinder next to the container'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the pink cylinder next to the container'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The pink cylinder (cylinder-template, 4 x 4 x 4 cm).
        pink_cylinder_size = (0.04, 0.04, 0.04)
        pink_cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        pink_cylinder_ids = []
        for color in ['pink']:
            pose = self.get_random_pose(env, pink_cylinder_size)
            pink_cylinder_ids.append(env.add_object(pink_cylinder_urdf, pose, color=utils.COLORS[color]))

        # The container with room for what goes next to (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.232, 0.302, 0))[0]
        container_urdf = self.fill_template('container/container-template.urdf', {'DIM': (0.15, 0.15, 0.05), 'HALF': (0.075, 0.075, 0.025)})
        container_poses = [((region_0[0] + 0.0, region_0[1] + -0.035, 0.025), (0, 0, 0, 1))]
        env.add_object(container_urdf, container_poses[0], 'fixed', color=utils.COLORS['brown'])

        # Goal: put the pink cylinder next to the container.
        reference_0 = container_poses[0][0]
        targets_0 = [((reference_0[0] + 0.0, reference_0[1] + 0.1561, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=pink_cylinder_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the pink cylinder next to the container')
