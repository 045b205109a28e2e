import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class ManipulatingRope(Task):
    """Rearrange a deformable rope (a chain of 20 beads) so that it closes the open side of a
    three-sided square marked on the table. The rope may be laid in either direction."""

    def __init__(self):
        super().__init__()
        self.max_steps = 20
        self.lang_template = "manipulate the rope to complete the square"
        self.task_completed_desc = "done manipulating the rope."
        # The template mentions a rope: gentle low pick-and-place and a 2 cm tolerance per bead.
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Rope geometry: 20 beads of 5 mm radius; the square's side is the rope's length when its
        # beads are spread out (bead spacing 2 * radius * sqrt(2)).
        n_parts = 20
        radius = 0.005
        length = 2 * radius * n_parts * np.sqrt(2)

        # The three-sided square (open on its +y side), fixed and visual only.
        square_size = (length, length, 0)
        square_pose = self.get_random_pose(env, square_size)
        square_urdf = self.fill_template('square/square-template.urdf',
                                         {'DIM': (length,), 'HALF': (length / 2 - 0.005,)})
        env.add_object(square_urdf, square_pose, 'fixed')

        # The two corners of the open side, in world coordinates, just above the table.
        corner0 = utils.apply(square_pose, (length / 2, length / 2, 0.001))
        corner1 = utils.apply(square_pose, (-length / 2, length / 2, 0.001))

        # The rope, with one target point per bead evenly spread between the two corners.
        objects, targets, matches = self.make_ropes(env, corners=(corner0, corner1),
                                                    radius=radius, n_parts=n_parts)
        self.add_goal(objs=objects, matches=matches, targ_poses=targets, replace=False,
                      rotations=False, metric='pose', params=None, step_max_reward=1,
                      language_goal=self.lang_template)

        # Let the bead chain, spawned as a vertical stack, fall and settle before the first action.
        for _ in range(480):
            p.stepSimulation()
