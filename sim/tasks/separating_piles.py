import random

import numpy as np
import pybullet as p
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
from cliport.tasks.task import Task
from cliport.utils import utils


class SeparatingPiles(Task):
    """Push a pile of small blocks of one colour into the one of two coloured square zones that
    the instruction names, using a spatula. The other zone is a distractor."""

    def __init__(self):
        super().__init__()
        # The spatula pushes (it cannot pick); each push moves a part of the pile.
        self.ee = Spatula
        self.primitive = primitives.push
        self.max_steps = 20
        self.lang_template = "push the pile of {block_color} blocks into the {square_color} square"
        self.task_completed_desc = "done separating pile."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Three distinct colours: first zone, second zone, blocks.
        colors, color_names = utils.get_colors(mode=self.mode, n_colors=3)

        # Two 12 x 12 cm zones, at least 20 cm apart so that the pile never touches both.
        zone_size = (0.12, 0.12, 0)
        zone_poses = [self.get_random_pose(env, zone_size)]
        zone_poses.append(self.get_random_pose(env, zone_size))
        while np.linalg.norm(np.array(zone_poses[1][0]) - np.array(zone_poses[0][0])) < 0.2:
            zone_poses[1] = self.get_random_pose(env, zone_size)
        for zone_pose, color in zip(zone_poses, colors[:2]):
            zone_id = env.add_object('zone/zone.urdf', zone_pose, 'fixed')
            p.changeVisualShape(zone_id, -1, rgbaColor=color + [1])

        # The instruction names one of the two zones at random.
        target = random.randint(0, 1)
        zone_pose = zone_poses[target]

        # The pile: `num_blocks` (50) 1 cm cubes in the third colour.
        pile_ids = self.make_piles(env, block_color=colors[2])

        # Goal: every cube inside the named zone (one shared target, paid per cube inside).
        language_goal = self.lang_template.format(block_color=color_names[2],
                                                  square_color=color_names[target])
        self.add_goal(objs=pile_ids, matches=np.ones((len(pile_ids), 1)), targ_poses=[zone_pose],
                      replace=True, rotations=False, metric='zone',
                      params=[(zone_pose, zone_size)], step_max_reward=1,
                      language_goal=language_goal)
