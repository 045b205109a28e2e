import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceWheelContainer(Task):
    """Put the two wheels in the container.

    Written by the offline rule-based generator from the idea:
    'put two wheels in the container'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the two wheels in the container'
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

        # Two wheels (cylinder-template, 5 x 5 x 2.5 cm).
        wheel_size = (0.05, 0.05, 0.025)
        wheel_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.025, 0.025, 0.025)})
        wheel_ids = []
        for color in ['black', 'black']:
            pose = self.get_random_pose(env, wheel_size)
            wheel_ids.append(env.add_object(wheel_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the two wheels in the container (spaced slots, one object each).
        targets_0 = [
            (utils.apply(container_poses[0], (-0.025, 0.0, -0.0125)), container_poses[0][1]),
            (utils.apply(container_poses[0], (0.025, 0.0, -0.0125)), container_poses[0][1])]
        self.add_goal(objs=wheel_ids, matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0] * 2,
                      language_goal='put the two wheels in the container')
