import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBlueBlockContainer(Task):
    """Put the blue block from the pallet in the container.

    Written by the offline rule-based generator from the idea:
    'move the blue block from the pallet into the container'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the blue block from the pallet in the container'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The pallet (pallet, 30 x 25 x 4 cm).
        pallet_size = (0.3, 0.25, 0.04)
        pallet_poses = []
        for color in [None]:
            pose = self.get_random_pose(env, pallet_size)
            env.add_object('pallet/pallet.urdf', pose, 'fixed')
            pallet_poses.append(pose)

        # The container (container-template, 15 x 15 x 5 cm).
        container_size = (0.15, 0.15, 0.05)
        container_urdf = self.fill_template('container/container-template.urdf', {'DIM': (0.15, 0.15, 0.05), 'HALF': (0.075, 0.075, 0.025)})
        container_poses = []
        for color in ['brown']:
            pose = self.get_random_pose(env, container_size)
            env.add_object(container_urdf, pose, 'fixed', color=utils.COLORS[color])
            container_poses.append(pose)

        # The blue block (block, 4 x 4 x 4 cm).
        blue_block_size = (0.04, 0.04, 0.04)
        # They start on the pallet.
        blue_block_starts = [(0.0, 0.0, 0.042)]
        blue_block_ids = []
        for k, color in enumerate(['blue']):
            pose = (utils.apply(pallet_poses[0], blue_block_starts[k]), pallet_poses[0][1])
            blue_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Goal: put the blue block in the container.
        targets_0 = [(utils.apply(container_poses[0], (0.0, 0.0, -0.005)), container_poses[0][1])]
        self.add_goal(objs=blue_block_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2],
                      language_goal='put the blue block in the container')
