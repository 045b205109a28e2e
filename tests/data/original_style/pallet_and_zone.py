import numpy as np
import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
from cliport.tasks.task import Task
from cliport.utils import utils

import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PalletAndZone(Task):
    """Place a red box on the pallet and a blue block inside the green zone."""

    def __init__(self):
        super().__init__()
        self.max_steps = 6
        self.lang_template = "place the {color} {obj} on the {place}"
        self.task_completed_desc = "done placing objects."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Add a zone.
        zone_size = (0.15, 0.15, 0)
        zone_pose = self.get_random_pose(env, zone_size)
        env.add_object('zone/zone.urdf', zone_pose, 'fixed')

        # Add a pallet; read its pose back from PyBullet like generated code does.
        pallet_size = (0.3, 0.25, 0.04)
        pallet_pose = self.get_random_pose(env, pallet_size)
        pallet_id = env.add_object('pallet/pallet.urdf', pallet_pose, 'fixed')
        pallet_pose = p.getBasePositionAndOrientation(pallet_id)
        target = utils.apply(pallet_pose, (0.05, 0, 0.04))

        # Add a red box from the template.
        box_size = (0.04, 0.04, 0.04)
        box_template = 'box/box-template.urdf'
        replace = {'DIM': box_size, 'HALF': (box_size[0] / 2, box_size[1] / 2, box_size[2] / 2)}
        box_urdf = self.fill_template(box_template, replace)
        box_pose = self.get_random_pose(env, box_size)
        box_id = env.add_object(box_urdf, box_pose, color=utils.COLORS['red'])
        self.add_goal(objs=[box_id], matches=np.ones((1, 1)), targ_poses=[target], replace=False,
                      rotations=True, metric='pose', params=None, step_max_reward=1 / 2,
                      language_goal=self.lang_template.format(color='red', obj='box', place='pallet'))

        # Add a blue block to be put in the zone.
        block_pose = self.get_random_pose(env, box_size)
        block_id = env.add_object('block/block.urdf', block_pose, color='blue')
        self.add_goal(objs=[block_id], matches=np.ones((1, 1)), targ_poses=[zone_pose], replace=False,
                      rotations=True, metric='zone', params=[(zone_pose, zone_size)],
                      step_max_reward=1 / 2,
                      language_goal=self.lang_template.format(color='blue', obj='block', place='zone'))
