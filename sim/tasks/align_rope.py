import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class AlignRope(Task):
    """Lay a deformable rope (a chain of 20 beads) straight between two named corners of a
    three-sided square marked on the table. The instruction picks one of four corner pairs."""

    def __init__(self):
        super().__init__()
        self.max_steps = 20
        self.lang_template = "align the rope from {direction}"
        self.task_completed_desc = "done aligning the rope."
        # The template mentions a rope: gentle low pick-and-place and a 2 cm tolerance per bead.
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Rope geometry: 20 beads of 5 mm radius; the square's side is the rope's length when its
        # beads are spread out (bead spacing 2 * radius * sqrt(2)).
        n_parts = 20
        radius = 0.005
        length = 2 * radius * n_parts * np.sqrt(2)

        # The three-sided square (open on its +y side, the "front"), fixed and visual only.
        square_size = (length, length, 0)
        square_pose = self.get_random_pose(env, square_size)
        square_urdf = self.fill_template('square/square-template.urdf',
                                         {'DIM': (length,), 'HALF': (length / 2 - 0.005,)})
        env.add_object(square_urdf, square_pose, 'fixed')

        # The four corners in world coordinates, just above the table. The open side's ends are
        # the "tips"; the closed side's ends are the "corners".
        half = length / 2
        front_right = utils.apply(square_pose, (half, half, 0.001))
        front_left = utils.apply(square_pose, (-half, half, 0.001))
        back_right = utils.apply(square_pose, (half, -half, 0.001))
        back_left = utils.apply(square_pose, (-half, -half, 0.001))

        # Pick one of four alignments: the open side or one of the three closed sides.
        choices = [
            ((front_right, front_left), "front left tip to front right tip"),
            ((front_right, back_right), "front right tip to back right corner"),
            ((front_left, back_left), "front left tip to back left corner"),
            ((back_left, back_right), "back right corner to back left corner"),
        ]
        corners, direction = choices[np.random.randint(len(choices))]

        # The rope, with one target point per bead evenly spread between the chosen corners.
        objects, targets, matches = self.make_ropes(env, corners=corners, radius=radius,
                                                    n_parts=n_parts)
        self.add_goal(objs=objects, matches=matches, targ_poses=targets, replace=False,
                      rotations=False, metric='pose', params=None, step_max_reward=1,
                      language_goal=self.lang_template.format(direction=direction))

        # Let the bead chain, spawned as a vertical stack, fall and settle before the first action.
        for _ in range(480):
            p.stepSimulation()
