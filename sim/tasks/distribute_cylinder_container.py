import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class DistributeCylinderContainer(Task):
    """Put 3 of the six cylinders in each of the two containers.

    Written by the offline rule-based generator from the idea:
    'put three cylinders in each of the two containers'
    """

    def __init__(self):
        super().__init__()
        # 6 pick-and-place actions plus 2 spares (one per six objects).
        self.max_steps = 8
        self.lang_template = 'put 3 of the six cylinders in each of the two containers'
        self.task_completed_desc = 'done distributing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Two containers (container-template, 15 x 15 x 5 cm).
        container_size = (0.15, 0.15, 0.05)
        container_urdf = self.fill_template('container/container-template.urdf', {'DIM': (0.15, 0.15, 0.05), 'HALF': (0.075, 0.075, 0.025)})
        container_poses = []
        for color in ['brown', 'brown']:
            pose = self.get_random_pose(env, container_size)
            env.add_object(container_urdf, pose, 'fixed', color=utils.COLORS[color])
            container_poses.append(pose)

        # Six cylinders (cylinder-template, 4 x 4 x 4 cm).
        cylinder_size = (0.04, 0.04, 0.04)
        cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        cylinder_ids = []
        for color in ['red', 'blue', 'green', 'yellow', 'orange', 'purple']:
            pose = self.get_random_pose(env, cylinder_size)
            cylinder_ids.append(env.add_object(cylinder_urdf, pose, color=utils.COLORS[color]))

        # Goal: 3 objects in each container, one goal per container.
        targets_0 = [
            (utils.apply(container_poses[0], (-0.025, -0.025, -0.005)), container_poses[0][1]),
            (utils.apply(container_poses[0], (0.025, -0.025, -0.005)), container_poses[0][1]),
            (utils.apply(container_poses[0], (-0.025, 0.025, -0.005)), container_poses[0][1])]
        self.add_goal(objs=cylinder_ids[0:3], matches=np.ones((3, 3)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0] * 3,
                      language_goal='put the red cylinder, the blue cylinder and the green cylinder in container 1')

        targets_1 = [
            (utils.apply(container_poses[1], (-0.025, -0.025, -0.005)), container_poses[1][1]),
            (utils.apply(container_poses[1], (0.025, -0.025, -0.005)), container_poses[1][1]),
            (utils.apply(container_poses[1], (-0.025, 0.025, -0.005)), container_poses[1][1])]
        self.add_goal(objs=cylinder_ids[3:6], matches=np.ones((3, 3)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0] * 3,
                      language_goal='put the yellow cylinder, the orange cylinder and the purple cylinder in container 2')
