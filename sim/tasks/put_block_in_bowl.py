import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class PutBlockInBowl(Task):
    """Put every block of the named colour into a bowl of the named colour, one block per bowl.
    Block and bowl colours are drawn at random each episode, and up to six distractor blocks and
    bowls of other colours share the table."""

    def __init__(self):
        super().__init__()
        self.max_steps = 10
        self.lang_template = "put the {pick} blocks in a {place} bowl"
        self.task_completed_desc = "done placing blocks in bowls."
        # The template mentions a bowl, so this widens pos_eps to 5 cm (anywhere inside the bowl).
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # One to three bowls, and at most as many blocks as bowls.
        n_bowls = np.random.randint(1, 4)
        n_blocks = np.random.randint(1, n_bowls + 1)

        # Two distinct colours: (block colour, bowl colour).
        (block_color, bowl_color), (block_name, bowl_name) = utils.get_colors(self.mode, n_colors=2)

        bowl_size = (0.12, 0.12, 0)
        bowl_poses = []
        for _ in range(n_bowls):
            bowl_pose = self.get_random_pose(env, bowl_size)
            env.add_object('bowl/bowl.urdf', bowl_pose, 'fixed', color=bowl_color)
            bowl_poses.append(bowl_pose)

        block_size = (0.04, 0.04, 0.04)
        blocks = []
        for _ in range(n_blocks):
            block_pose = self.get_random_pose(env, block_size)
            blocks.append(env.add_object('stacking/block.urdf', block_pose, color=block_color))

        # Goal: each block in a different bowl (replace=False: one block per bowl).
        self.add_goal(objs=blocks, matches=np.ones((n_blocks, n_bowls)), targ_poses=bowl_poses,
                      replace=False, rotations=False, metric='pose', params=None,
                      step_max_reward=1,
                      language_goal=self.lang_template.format(pick=block_name, place=bowl_name))

        # One action per block plus a single spare: only one mistake is allowed.
        self.max_steps = n_blocks + 1

        # Distractors in the colours not used by the goal, so that none of them is a valid answer.
        others = [utils.COLORS[c] for c in utils.COLORS_NAMES if c not in (block_name, bowl_name)]
        for i in range(6):
            is_block = np.random.rand() > 0.5
            urdf = 'stacking/block.urdf' if is_block else 'bowl/bowl.urdf'
            size = block_size if is_block else bowl_size
            obj_id = env.add_object(urdf, self.get_random_pose(env, size))
            p.changeVisualShape(obj_id, -1, rgbaColor=others[i % len(others)] + [1])
