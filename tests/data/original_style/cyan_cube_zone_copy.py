import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceBlueCubeInZone(Task):
    """Move the blue cube into the red target area."""

    def __init__(self):
        super().__init__()
        self.max_steps = 3
        self.lang_template = "place the blue block in the red zone"
        self.task_completed_desc = "done placing block in zone."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)
        # Target area.
        area_size = (0.12, 0.12, 0)
        area_pose = self.get_random_pose(env, area_size)
        env.add_object('zone/zone.urdf', area_pose, 'fixed', color=utils.COLORS['red'])
        # The cube.
        cube_size = (0.04, 0.04, 0.04)
        cube_urdf = 'block/block.urdf'
        cube_pose = self.get_random_pose(env, cube_size)
        cube = env.add_object(cube_urdf, cube_pose, color=utils.COLORS['blue'])
        self.add_goal(objs=[cube], matches=np.ones((1, 1)), targ_poses=[area_pose], replace=False,
                      rotations=True, metric='zone', params=[(area_pose, area_size)], step_max_reward=1,
                      language_goal=self.lang_template)
