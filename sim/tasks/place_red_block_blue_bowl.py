import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceRedBlockBlueBowl(Task):
    """Put the red block from the zone in the blue bowl.

    Written by the offline rule-based generator from the idea:
    'move the red block from the zone to the blue bowl'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the red block from the zone in the blue bowl'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()
        # Anything inside a bowl counts (5 cm), as additional_reset does for bowl tasks.
        self.pos_eps = 0.05

    def reset(self, env):
        super().reset(env)

        # The zone (zone, 12 x 12 cm).
        zone_size = (0.12, 0.12, 0)
        zone_poses = []
        for color in ['green']:
            pose = self.get_random_pose(env, zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            zone_poses.append(pose)

        # The blue bowl (bowl, 12 x 12 cm).
        blue_bowl_size = (0.12, 0.12, 0)
        blue_bowl_poses = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_bowl_size)
            env.add_object('bowl/bowl.urdf', pose, 'fixed', color=utils.COLORS[color])
            blue_bowl_poses.append(pose)

        # The red block (block, 4 x 4 x 4 cm).
        red_block_size = (0.04, 0.04, 0.04)
        # They start on the zone.
        red_block_starts = [(0.0, 0.0, 0.022)]
        red_block_ids = []
        for k, color in enumerate(['red']):
            pose = (utils.apply(zone_poses[0], red_block_starts[k]), zone_poses[0][1])
            red_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Goal: put the red block in the blue bowl.
        targets_0 = [(utils.apply(blue_bowl_poses[0], (0.0, 0.0, 0.02)), blue_bowl_poses[0][1])]
        self.add_goal(objs=red_block_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2],
                      language_goal='put the red block in the blue bowl')
