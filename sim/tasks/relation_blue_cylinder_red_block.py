import os
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class RelationBlueCylinderRedBlock(Task):
    """Put the blue cylinder behind the red block (as seen in the video).

    Written by the offline rule-based generator from the idea:
    'put the blue cylinder behind the red block'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the blue cylinder behind the red block (as seen in the video)'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The blue cylinder (cylinder-template, 4 x 4 x 4 cm).
        blue_cylinder_size = (0.04, 0.04, 0.04)
        blue_cylinder_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.02, 0.02, 0.04)})
        blue_cylinder_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_cylinder_size)
            blue_cylinder_ids.append(env.add_object(blue_cylinder_urdf, pose, color=utils.COLORS[color]))

        # The red block with room for what goes behind (one free region, so every spot is on the table).
        region_0 = self.get_random_pose(env, (0.147, 0.077, 0))[0]
        red_block_poses = [((region_0[0] + 0.035, region_0[1] + 0.0, 0.02), (0, 0, 0, 1))]
        red_block_ids = []
        red_block_ids.append(env.add_object('stacking/block.urdf', red_block_poses[0], color=utils.COLORS['red']))

        # Goal: put the blue cylinder behind the red block (as seen in the video: left is -y, front is +x).
        reference_0 = p.getBasePositionAndOrientation(red_block_ids[0])[0]
        targets_0 = [((reference_0[0] + -0.0783, reference_0[1] + 0.0, 0.02), (0, 0, 0, 1))]
        self.add_goal(objs=blue_cylinder_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the blue cylinder behind the red block')
