import os
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class RopeRedRope(Task):
    """Straighten the rope along a line.

    Written by the offline rule-based generator from the idea:
    'straighten the rope along the line'
    """

    def __init__(self):
        super().__init__()
        # 20 pick-and-place actions plus 4 spares (one per six objects).
        self.max_steps = 20
        self.lang_template = 'straighten the rope along a line'
        self.task_completed_desc = 'done laying out the rope.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Rope geometry: 20 beads of 5 mm radius; its laid-out length is 2 r n sqrt(2).
        n_parts, radius = 20, 0.005
        length = 2 * radius * n_parts * np.sqrt(2)
        # A black line as long as the rope; the rope is straightened along it.
        line_size = (length, 0.04, 0)
        line_pose = self.get_random_pose(env, line_size)
        line_urdf = self.fill_template('line/line-template.urdf', {'DIM': (length, 0.01, 0.001)})
        env.add_object(line_urdf, line_pose, 'fixed', color=utils.COLORS['black'])
        corners = (utils.apply(line_pose, (-length / 2, 0, 0.001)),
                   utils.apply(line_pose, (length / 2, 0, 0.001)))
        objects, targets, matches = self.make_ropes(env, corners=corners, radius=radius, n_parts=n_parts, color_name='red')
        self.add_goal(objs=objects, matches=matches, targ_poses=targets, replace=False,
                      rotations=False, metric='pose', params=None, step_max_reward=1,
                      language_goal='straighten the rope along the line')
        # Let the bead chain settle before the first action.
        for _ in range(480):
            p.stepSimulation()
