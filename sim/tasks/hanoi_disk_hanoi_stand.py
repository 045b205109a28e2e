import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class HanoiDiskHanoiStand(Task):
    """Solve the towers of Hanoi with 3 disks: move the stack to the rod at the other end.

    Written by the offline rule-based generator from the idea:
    'solve towers of hanoi with three disks'
    """

    def __init__(self):
        super().__init__()
        # 7 pick-and-place actions plus 2 spares (one per six objects).
        self.max_steps = 14
        self.lang_template = 'solve the towers of hanoi with 3 disks: move the stack to the rod at the other end'
        self.task_completed_desc = 'done solving towers of hanoi.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The hanoi stand: three tiles in a row, each with a vertical rod.
        base_size = (0.12, 0.36, 0.01)
        base_pose = self.get_random_pose(env, base_size)
        env.add_object('hanoi/stand.urdf', base_pose, 'fixed')
        rod_pos = ((0, -0.12, 0.03), (0, 0, 0.03), (0, 0.12, 0.03))

        # 3 disks on the first rod, disk2 (the largest) at the bottom, 1.5 cm apart.
        n_disks = 3
        disks = []
        rod0 = utils.apply(base_pose, rod_pos[0])
        for i in range(n_disks):
            z = 0.015 * (n_disks - i - 2)
            disks.append(env.add_object(f'hanoi/disk{i}.urdf', ((rod0[0], rod0[1], rod0[2] + z), base_pose[1])))

        # One goal per move of the optimal solution; rings are round (symmetry 0).
        steps = utils.solve_hanoi_all(n_disks)
        for disk, _, to_rod in steps:
            target = (utils.apply(base_pose, rod_pos[to_rod]), (0, 0, 0, 1))
            self.add_goal(objs=[disks[disk]], matches=np.int32([[1]]), targ_poses=[target],
                          replace=False, rotations=True, metric='pose', params=None,
                          step_max_reward=1 / len(steps), symmetries=[0],
                          language_goal='move the stack of 3 disks to the rod at the other end')
