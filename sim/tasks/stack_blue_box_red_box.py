import os
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class StackBlueBoxRedBox(Task):
    """Stack the blue box on the red box (bottom to top).

    Written by the offline rule-based generator from the idea:
    'stack the blue box on the red box'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'stack the blue box on the red box (bottom to top)'
        self.task_completed_desc = 'done stacking.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The blue box (box-template, 5 x 5 x 5 cm).
        blue_box_size = (0.05, 0.05, 0.05)
        blue_box_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.05, 0.05, 0.05)})
        blue_box_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_box_size)
            blue_box_ids.append(env.add_object(blue_box_urdf, pose, color=utils.COLORS[color]))

        # The red box (box-template, 5 x 5 x 5 cm).
        red_box_size = (0.05, 0.05, 0.05)
        red_box_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.05, 0.05, 0.05)})
        red_box_ids = []
        for color in ['red']:
            pose = self.get_random_pose(env, red_box_size)
            red_box_ids.append(env.add_object(red_box_urdf, pose, color=utils.COLORS[color]))

        # Stack from the bottom up, one goal per object, so each goal only becomes current once
        # the object below is in place (is_match ignores height, docs/task-api.md#metric-pose).
        targets_0 = [
            (utils.apply(p.getBasePositionAndOrientation(red_box_ids[0]), (0, 0, 0.05)), p.getBasePositionAndOrientation(red_box_ids[0])[1])]
        self.add_goal(objs=blue_box_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[np.pi / 2],
                      language_goal='put the blue box on the red box')
