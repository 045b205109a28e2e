import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class RelationBrownBlockContainer(Task):
    """Put the brown block behind the container (as seen in the video).

    Written by the offline rule-based generator from the idea:
    'put the brown block behind the container'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the brown block behind the container (as seen in the video)'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The brown block (block, 4 x 4 x 4 cm).
        brown_block_size = (0.04, 0.04, 0.04)
        brown_block_ids = []
        for color in ['brown']:
            pose = self.get_random_pose(env, brown_block_size)
            brown_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The container with room for what goes behind (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.319, 0.232, 0))[0]
        container_urdf = self.fill_template('container/container-template.urdf', {'DIM': (0.15, 0.15, 0.05), 'HALF': (0.075, 0.075, 0.025)})
        container_poses = [((region_0[0] + 0.0433, region_0[1] + 0.0, 0.025), (0, 0, 0, 1))]
        env.add_object(container_urdf, container_poses[0], 'fixed', color=utils.COLORS['brown'])

        # Goal: put the brown block behind the container (as seen in the video: left is -y, front is +x).
        reference_0 = container_poses[0][0]
        targets_0 = [((reference_0[0] + -0.1644, reference_0[1] + 0.0, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=brown_block_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2],
                      language_goal='put the brown block behind the container')
