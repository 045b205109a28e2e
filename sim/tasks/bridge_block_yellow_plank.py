import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class BridgeBlockYellowPlank(Task):
    """Build a bridge from the two blocks and the yellow plank.

    Written by the offline rule-based generator from the idea:
    'build a bridge from two blocks and a plank'
    """

    def __init__(self):
        super().__init__()
        # 3 pick-and-place actions plus one spare.
        self.max_steps = 4
        self.lang_template = 'build a bridge from the two blocks and the yellow plank'
        self.task_completed_desc = 'done building.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Build area: a thin grey plate that keeps other objects off the structure's footprint.
        bridge_base_size = (0.18, 0.08, 0.002)
        bridge_base_pose = self.get_random_pose(env, bridge_base_size)
        bridge_base_urdf = self.fill_template('box/box-template.urdf', {'DIM': bridge_base_size})
        env.add_object(bridge_base_urdf, bridge_base_pose, 'fixed', color=utils.COLORS['gray'])

        # Two blocks (block, 4 x 4 x 4 cm).
        block_size = (0.04, 0.04, 0.04)
        block_ids = []
        for color in ['red', 'blue']:
            pose = self.get_random_pose(env, block_size)
            block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # The yellow plank (box-template, 12 x 4 x 2 cm).
        yellow_plank_size = (0.12, 0.04, 0.02)
        yellow_plank_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.12, 0.04, 0.02)})
        yellow_plank_ids = []
        for color in ['yellow']:
            pose = self.get_random_pose(env, yellow_plank_size)
            yellow_plank_ids.append(env.add_object(yellow_plank_urdf, pose, color=utils.COLORS[color]))

        # Build the bridge bottom-up: one goal per layer.
        targets_0 = [
            (utils.apply(bridge_base_pose, (-0.04, 0.0, 0.022)), bridge_base_pose[1]),
            (utils.apply(bridge_base_pose, (0.04, 0.0, 0.022)), bridge_base_pose[1])]
        self.add_goal(objs=block_ids, matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=2 / 3, symmetries=[np.pi / 2] * 2,
                      language_goal='put the two blocks as the supports of the bridge')

        targets_1 = [(utils.apply(bridge_base_pose, (0, 0, 0.052)), bridge_base_pose[1])]
        self.add_goal(objs=yellow_plank_ids, matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[np.pi],
                      language_goal='put the yellow plank on top of the bridge')
