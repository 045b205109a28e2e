import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class InsertEllFixture(Task):
    """Insert the ell into the fixture.

    Written by the offline rule-based generator from the idea:
    'insert the ell into the fixture'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'insert the ell into the fixture'
        self.task_completed_desc = 'done inserting.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The fixture (fixture, 10 x 10 x 4 cm).
        fixture_size = (0.1, 0.1, 0.04)
        fixture_poses = []
        for color in [None]:
            pose = self.get_random_pose(env, fixture_size)
            env.add_object('insertion/fixture.urdf', pose, 'fixed')
            fixture_poses.append(pose)

        # The ell (ell, 10 x 10 x 4 cm).
        ell_size = (0.1, 0.1, 0.04)
        ell_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, ell_size)
            ell_ids.append(env.add_object('insertion/ell.urdf', pose, color=utils.COLORS[color]))

        # Goal: the ell into the fixture, in the fixture's orientation (symmetry 2 pi: one fit).
        targets_0 = [fixture_poses[0]]
        self.add_goal(objs=ell_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[2 * np.pi],
                      language_goal='insert the ell into the fixture')
