import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class TowersOfHanoi(Task):
    """Solve the towers of Hanoi with three ring-shaped disks: move the stack from the rod at one
    end of the stand to the rod at the other end, one disk at a time, never placing a larger disk
    on a smaller one. Each of the seven moves is a separate goal."""

    def __init__(self):
        super().__init__()
        # The solution takes 2^3 - 1 = 7 moves; the budget allows as many retries.
        self.max_steps = 14
        self.lang_template = "solve towers of hanoi"
        self.task_completed_desc = "solved towers of hanoi."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The stand: three 12 cm tiles in a row, each with a vertical rod.
        base_size = (0.12, 0.36, 0.01)
        base_pose = self.get_random_pose(env, base_size)
        env.add_object('hanoi/stand.urdf', base_pose, 'fixed')

        # Rod positions in the stand's frame.
        rod_pos = ((0, -0.12, 0.03), (0, 0, 0.03), (0, 0.12, 0.03))

        # Stack the disks on the first rod, largest (disk2) at the bottom; disks are 1 cm thick,
        # 1.5 cm apart in the initial stack so that they drop gently into place.
        n_disks = 3
        disks = []
        rod0 = utils.apply(base_pose, rod_pos[0])
        for i in range(n_disks):
            z = 0.015 * (n_disks - i - 2)
            pos = (rod0[0], rod0[1], rod0[2] + z)
            disks.append(env.add_object(f'hanoi/disk{i}.urdf', (pos, base_pose[1])))

        # One goal per move of the optimal solution ([disk, from rod, to rod] steps). Rings are
        # round, so their yaw is ignored (symmetry 0).
        steps = utils.solve_hanoi_all(n_disks)
        for disk, _, to_rod in steps:
            target = (utils.apply(base_pose, rod_pos[to_rod]), (0, 0, 0, 1))
            self.add_goal(objs=[disks[disk]], matches=np.int32([[1]]), targ_poses=[target],
                          replace=False, rotations=True, metric='pose', params=None,
                          step_max_reward=1 / len(steps), symmetries=[0],
                          language_goal=self.lang_template)
