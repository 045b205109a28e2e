import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceRedInGreen(Task):
    """Put every red block into a green bowl, one block per bowl. The table also holds up to six
    distractors: blocks of other colours and bowls of other colours."""

    def __init__(self):
        super().__init__()
        self.max_steps = 10
        self.lang_template = "put the red blocks in a green bowl"
        self.task_completed_desc = "done placing blocks in bowls."
        # The template mentions a bowl, so this widens pos_eps to 5 cm (anywhere inside the bowl).
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # One to three green bowls, and at most as many red blocks as bowls.
        n_bowls = np.random.randint(1, 4)
        n_blocks = np.random.randint(1, n_bowls + 1)

        bowl_size = (0.12, 0.12, 0)
        bowl_poses = []
        for _ in range(n_bowls):
            bowl_pose = self.get_random_pose(env, bowl_size)
            env.add_object('bowl/bowl.urdf', bowl_pose, 'fixed', color=utils.COLORS['green'])
            bowl_poses.append(bowl_pose)

        block_size = (0.04, 0.04, 0.04)
        blocks = []
        for _ in range(n_blocks):
            block_pose = self.get_random_pose(env, block_size)
            blocks.append(env.add_object('stacking/block.urdf', block_pose, color=utils.COLORS['red']))

        # Goal: each red block in a different green bowl (replace=False: one block per bowl).
        self.add_goal(objs=blocks, matches=np.ones((n_blocks, n_bowls)), targ_poses=bowl_poses,
                      replace=False, rotations=False, metric='pose', params=None,
                      step_max_reward=1, language_goal=self.lang_template)

        # Distractors: a coin flip between a block and a bowl, coloured so that no distractor
        # block is red and no distractor bowl is green.
        block_colors = [utils.COLORS[c] for c in utils.COLORS_NAMES if c != 'red']
        bowl_colors = [utils.COLORS[c] for c in utils.COLORS_NAMES if c != 'green']
        for i in range(6):
            is_block = np.random.rand() > 0.5
            urdf = 'stacking/block.urdf' if is_block else 'bowl/bowl.urdf'
            size = block_size if is_block else bowl_size
            colors = block_colors if is_block else bowl_colors
            obj_id = env.add_object(urdf, self.get_random_pose(env, size))
            p.changeVisualShape(obj_id, -1, rgbaColor=colors[i % len(colors)] + [1])
