import os
import pybullet as p
import random
import numpy as np
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
from cliport.tasks.task import Task
from cliport.utils import utils


class SweepPileZone(Task):
    """Sweep the pile into the zone.

    Written by the offline rule-based generator from the idea:
    'push the pile of small blocks into the zone'
    """

    def __init__(self):
        super().__init__()
        # Pushes with the spatula; a pile needs several sweeps, so 20 actions as in Ravens.
        self.max_steps = 20
        self.lang_template = 'sweep the pile into the zone'
        self.task_completed_desc = 'done sweeping.'
        self.additional_reset()
        self.ee = Spatula
        self.primitive = primitives.push

    def reset(self, env):
        super().reset(env)

        # The zone (zone, 12 x 12 cm).
        zone_size = (0.12, 0.12, 0)
        zone_poses = []
        for color in ['green']:
            pose = self.get_random_pose(env, zone_size)
            env.add_object('zone/zone.urdf', pose, 'fixed', color=utils.COLORS[color])
            zone_poses.append(pose)

        # A pile of 8 cubes of 2 cm, scattered within 5 cm of a free spot.
        pile_size = (0.15, 0.15, 0.02)
        pile_center = self.get_random_pose(env, pile_size)[0]
        cube_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.02, 0.02, 0.02)})
        pile_ids = []
        for _ in range(8):
            x, y = pile_center[0] + np.random.uniform(-0.05, 0.05), pile_center[1] + np.random.uniform(-0.05, 0.05)
            rotation = utils.eulerXYZ_to_quatXYZW((0, 0, np.random.uniform(0, 2 * np.pi)))
            pile_ids.append(env.add_object(cube_urdf, ((x, y, 0.01), rotation), color=utils.COLORS['blue']))

        # Goal: every cube inside the zone (zone metric: the fraction of cubes inside).
        zone_size = (0.12, 0.12, 0)
        zone_pose = zone_poses[0]
        self.add_goal(objs=pile_ids, matches=np.ones((len(pile_ids), 1)), targ_poses=[zone_pose],
                      replace=True, rotations=False, metric='zone',
                      params=[(zone_pose, zone_size)], step_max_reward=1,
                      language_goal='push the pile of cubes into the zone')
