import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class StackBlockPyramid(Task):
    """Build a three-level pyramid of six coloured blocks on a three-tile stand: green, blue and
    purple on the bottom row, yellow and orange on the middle row, red on top. Each row is a
    separate goal, completed in order."""

    def __init__(self):
        super().__init__()
        # Six blocks, six pick-and-place actions; the rest is slack for retries.
        self.max_steps = 12
        self.lang_template = "put the {blocks} on the {row} row"
        self.task_completed_desc = "done stacking block pyramid."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The stand: three 5 x 5 cm tiles in a row along its y axis, fixed to the table.
        base_size = (0.05, 0.15, 0.005)
        base_pose = self.get_random_pose(env, base_size)
        env.add_object('stacking/stand.urdf', base_pose, 'fixed')

        # Six 4 cm blocks: three for the bottom row, two for the middle, one for the top.
        color_names = ['purple', 'blue', 'green', 'yellow', 'orange', 'red']
        block_size = (0.04, 0.04, 0.04)
        blocks = []
        for name in color_names:
            block_pose = self.get_random_pose(env, block_size)
            blocks.append(env.add_object('stacking/block.urdf', block_pose, color=utils.COLORS[name]))

        # Slots in the stand's frame: rows are 5 cm apart in height, and each upper slot sits over
        # the gap between the two blocks below it.
        slots = [(0, -0.05, 0.03), (0, 0, 0.03), (0, 0.05, 0.03),
                 (0, -0.025, 0.08), (0, 0.025, 0.08),
                 (0, 0, 0.13)]
        targets = [(utils.apply(base_pose, slot), base_pose[1]) for slot in slots]

        # One goal per row, bottom first. Any block of a row may take any slot of that row; cubes
        # look the same every quarter turn (symmetry pi/2). Rewards sum to 1 (1/2 + 1/3 + 1/6).
        rows = [
            (slice(0, 3), 'the purple, blue and green blocks', 'bottom', 1 / 2),
            (slice(3, 5), 'the yellow and orange blocks', 'middle', 1 / 3),
            (slice(5, 6), 'the red block', 'top', 1 / 6),
        ]
        for row, blocks_desc, row_name, reward in rows:
            n = len(blocks[row])
            self.add_goal(objs=blocks[row], matches=np.ones((n, n)), targ_poses=targets[row],
                          replace=False, rotations=True, metric='pose', params=None,
                          step_max_reward=reward, symmetries=[np.pi / 2] * n,
                          language_goal=self.lang_template.format(blocks=blocks_desc, row=row_name))
