import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceGreenCylinderRedZone(Task):
    """Put the green cylinder from the container in the red zone.

    Written by the offline rule-based generator from the idea:
    'take the green cylinder out of the container and put it in the red zone'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the green cylinder from the container in the red zone'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The container (container-template, 15 x 15 x 5 cm).
        container_size = (0.15, 0.15, 0.05)
        container_urdf = self.fill_template('container/container-template.urdf', {'DIM': (0.15, 0.15, 0.05), 'HALF': (0.075, 0.075, 0.025)})
        container_poses = []
        for color in ['brown']:
            pose = self.get_random_pose(env, container_size)
            env.add_object(container_urdf, pose, 'fixed', color=utils.COLORS[color])
            container_poses.append(pose)

        # The green cylinder (cylinder-template, 4 x 4 x 4 cm).
        green_cylinder_size = (0.04, 0.04, 0.04)
        green_cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        # They start on the container.
        green_cylinder_starts = [(0.0, 0.0, -0.003)]
        green_cylinder_ids = []
        for k, color in enumerate(['green']):
            pose = (utils.apply(container_poses[0], green_cylinder_starts[k]), container_poses[0][1])
            green_cylinder_ids.append(env.add_object(green_cylinder_urdf, pose, color=utils.COLORS[color]))

        # The red zone (zone, 12 x 12 cm).
        red_zone_size = (0.12, 0.12, 0)
        red_zone_poses = []
        for color in ['red']:
            pose = self.get_random_pose(env, red_zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            red_zone_poses.append(pose)

        # Goal: put the green cylinder in the red zone.
        targets_0 = [(utils.apply(red_zone_poses[0], (0.0, 0.0, 0.02)), red_zone_poses[0][1])]
        self.add_goal(objs=green_cylinder_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the green cylinder in the red zone')
