import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class TwoRopesOnLines(Task):
    """Straighten two ropes (chains of 20 beads, one red and one blue) each along the line of its
    own colour marked on the table; the red rope first, then the blue one."""

    def __init__(self):
        super().__init__()
        self.max_steps = 40  # 20 actions per rope, as the one-rope tasks
        self.lang_template = "straighten the {color} rope along the {color} line"
        self.task_completed_desc = "done straightening the ropes."
        # The template mentions a rope: gentle low pick-and-place and a 2 cm tolerance per bead.
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Rope geometry: 20 beads of 5 mm radius; laid out, a rope is 2 r n sqrt(2) long.
        n_parts, radius = 20, 0.005
        length = 2 * radius * n_parts * np.sqrt(2)

        # One line per rope, each as long as the rope.
        lines = []
        for color in ("red", "blue"):
            line_pose = self.get_random_pose(env, (length, 0.04, 0.001))
            line_urdf = self.fill_template("line/line-template.urdf", {"DIM": (length, 0.01, 0.001)})
            env.add_object(line_urdf, line_pose, "fixed", color=utils.COLORS[color])
            lines.append((color, line_pose))

        # Both ropes first (so neither lands on the other's line), then one goal per rope.
        ropes = []
        for color, line_pose in lines:
            ends = (utils.apply(line_pose, (-length / 2, 0, 0.001)), utils.apply(line_pose, (length / 2, 0, 0.001)))
            ropes.append(self.make_ropes(env, corners=ends, radius=radius, n_parts=n_parts, color_name=color))
        for (color, _), (objects, targets, matches) in zip(lines, ropes):
            self.add_goal(objs=objects, matches=matches, targ_poses=targets, replace=False,
                          rotations=False, metric="pose", params=None, step_max_reward=0.5,
                          language_goal=self.lang_template.format(color=color))

        # Let the bead chains, spawned as vertical stacks, fall and settle before the first action.
        for _ in range(480):
            p.stepSimulation()
