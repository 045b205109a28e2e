import numpy as np
from cliport.tasks.task import Task


class BlockInsertion(Task):
    """Pick up an L-shaped red block and insert it into the L-shaped hole of a gray fixture. The
    block must be turned to the fixture's orientation to fit."""

    def __init__(self):
        super().__init__()
        # One insertion solves the task; two spare actions allow a retry.
        self.max_steps = 3
        self.lang_template = "put the L shape block in the L shape hole"
        self.task_completed_desc = "done with insertion."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Both the block and the fixture fit in a 10 x 10 cm footprint, 4 cm tall.
        size = (0.1, 0.1, 0.04)

        # The L-shaped block, at a random free pose with a random yaw.
        block_pose = self.get_random_pose(env, size)
        block_id = env.add_object('insertion/ell.urdf', block_pose)

        # The fixture is fixed to the table; its pose is exactly where the block belongs.
        fixture_pose = self.get_random_pose(env, size)
        env.add_object('insertion/fixture.urdf', fixture_pose, 'fixed')

        # Goal: the block sits in the fixture with the same yaw (an L has no rotational symmetry).
        self.add_goal(objs=[block_id], matches=np.ones((1, 1)), targ_poses=[fixture_pose],
                      replace=False, rotations=True, metric='pose', params=None, step_max_reward=1,
                      symmetries=[2 * np.pi], language_goal=self.lang_template)
