import numpy as np
import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
from cliport.tasks.task import Task
from cliport.utils import utils


class BlueBlockInRedZone(Task):
    """Pick up the blue block and place it inside the red zone on the table."""

    def __init__(self):
        super().__init__()
        self.max_steps = 3
        self.lang_template = "place the blue block in the red zone"
        self.task_completed_desc = "done placing block in zone."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Add the red zone.
        zone_size = (0.12, 0.12, 0)
        zone_pose = self.get_random_pose(env, zone_size)
        env.add_object('zone/zone.urdf', zone_pose, 'fixed', color=utils.COLORS['red'])

        # Add the blue block.
        block_size = (0.04, 0.04, 0.04)
        block_urdf = 'block/block.urdf'
        block_pose = self.get_random_pose(env, block_size)
        block_id = env.add_object(block_urdf, block_pose, color=utils.COLORS['blue'])

        # Goal: the blue block is in the red zone.
        self.add_goal(objs=[block_id], matches=np.ones((1, 1)), targ_poses=[zone_pose], replace=False,
                      rotations=True, metric='zone', params=[(zone_pose, zone_size)], step_max_reward=1,
                      language_goal=self.lang_template)
