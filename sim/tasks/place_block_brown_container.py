import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBlockBrownContainer(Task):
    """Put the two blocks in the brown container, leaving the blue block where it is.

    Written by the offline rule-based generator from the idea:
    'put everything except the blue block in the brown container'
    """

    def __init__(self):
        super().__init__()
        # 2 pick-and-place actions plus one spare.
        self.max_steps = 3
        self.lang_template = 'put the two blocks in the brown container, leaving the blue block where it is'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The brown container (container-template, 15 x 15 x 5 cm).
        brown_container_size = (0.15, 0.15, 0.05)
        brown_container_urdf = self.fill_template('container/container-template.urdf', {'DIM': (0.15, 0.15, 0.05), 'HALF': (0.075, 0.075, 0.025)})
        brown_container_poses = []
        for color in ['brown']:
            pose = self.get_random_pose(env, brown_container_size)
            env.add_object(brown_container_urdf, pose, 'fixed', color=utils.COLORS[color])
            brown_container_poses.append(pose)

        # Two blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'green']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The blue block (block, 4 x 4 x 4 cm).
        blue_block_size = (0.04, 0.04, 0.04)
        blue_block_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_block_size)
            blue_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Goal: put the two blocks in the brown container (spaced slots, one object each).
        targets_0 = [
            (utils.apply(brown_container_poses[0], (-0.025, 0.0, -0.005)), brown_container_poses[0][1]),
            (utils.apply(brown_container_poses[0], (0.025, 0.0, -0.005)), brown_container_poses[0][1])]
        self.add_goal(objs=block_ids, matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2] * 2,
                      language_goal='put the two blocks in the brown container')
