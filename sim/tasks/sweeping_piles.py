import numpy as np
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
from cliport.tasks.task import Task


class SweepingPiles(Task):
    """Push a pile of 50 small red cubes into a green square zone marked on the table, using a
    spatula instead of the suction cup."""

    def __init__(self):
        super().__init__()
        # The spatula pushes (it cannot pick); each push moves a part of the pile.
        self.ee = Spatula
        self.primitive = primitives.push
        self.max_steps = 20
        self.lang_template = "push the pile of blocks into the green square"
        self.task_completed_desc = "done sweeping."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The target zone: a 12 x 12 cm square outline, fixed and visual only.
        zone_size = (0.12, 0.12, 0)
        zone_pose = self.get_random_pose(env, zone_size)
        env.add_object('zone/zone.urdf', zone_pose, 'fixed')

        # The pile: `num_blocks` (50) 1 cm cubes scattered near the middle of the table.
        pile_ids = self.make_piles(env)

        # Goal: every cube inside the zone. All cubes share one target (replace=True) and the zone
        # metric pays in proportion to the cubes inside.
        self.add_goal(objs=pile_ids, matches=np.ones((len(pile_ids), 1)), targ_poses=[zone_pose],
                      replace=True, rotations=False, metric='zone',
                      params=[(zone_pose, zone_size)], step_max_reward=1,
                      language_goal=self.lang_template)
