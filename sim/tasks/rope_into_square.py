import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class RopeIntoSquare(Task):
    """Bend a rope (a chain of 20 beads) into a U shape lying inside a green square outlined on
    the table: one target point per bead, spaced along the U like the beads along the rope."""

    def __init__(self):
        super().__init__()
        # A U takes more actions than a straight line (20 in the one-rope tasks).
        self.max_steps = 30
        self.lang_template = "put the rope inside the green square, bent into a U"
        self.task_completed_desc = "done putting the rope in the square."
        # The template mentions a rope: gentle low pick-and-place and a 2 cm tolerance per bead.
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Rope geometry: 20 beads of 5 mm radius; laid out, consecutive beads are 2 r sqrt(2) apart.
        n_parts, radius = 20, 0.005
        spacing = 2 * radius * np.sqrt(2)
        length = spacing * n_parts

        # The U: two legs of 0.1 m joined by a base of the remaining length (~0.083 m); the square
        # leaves a 2.5 cm margin around it.
        leg = 0.1
        base = length - 2 * leg
        side = max(leg, base) + 0.05
        square_pose = self.get_random_pose(env, (side, side, 0.001))
        square_urdf = self.fill_template(
            "square/square-template-allsides-COLOR.urdf",
            {"DIM": (side,), "HALF": (side / 2 - 0.005,), "COLOR": utils.COLORS["green"]},
        )
        env.add_object(square_urdf, square_pose, "fixed")

        # Corners of the U in the square's frame, centred: up the left leg, across, down the right.
        top, bottom = leg / 2, -leg / 2
        path = np.float32([[-base / 2, top], [-base / 2, bottom], [base / 2, bottom], [base / 2, top]])
        seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
        arc = np.concatenate([[0], np.cumsum(seg)])
        targets = []
        for i in range(n_parts):
            s = (i + 0.5) * spacing  # bead centres at half a spacing from each end, like make_ropes
            k = min(np.searchsorted(arc, s, side="right") - 1, len(seg) - 1)
            xy = path[k] + (path[k + 1] - path[k]) * (s - arc[k]) / seg[k]
            targets.append((utils.apply(square_pose, (xy[0], xy[1], 0.001)), (0, 0, 0, 1)))

        # The rope: make_ropes spaces its beads by the distance of the two corners it is given, so
        # it gets a straight segment as long as the rope; its straight targets are replaced by the
        # U. Either end of the rope may start the U.
        start = np.float32(targets[0][0])
        objects, _, matches = self.make_ropes(
            env, corners=(start, start + np.float32([length, 0, 0])), radius=radius, n_parts=n_parts,
            color_name="red",
        )
        self.add_goal(objs=objects, matches=matches, targ_poses=targets, replace=False,
                      rotations=False, metric="pose", params=None, step_max_reward=1,
                      language_goal=self.lang_template)

        # Let the bead chain, spawned as a vertical stack, fall and settle before the first action.
        for _ in range(480):
            p.stepSimulation()
