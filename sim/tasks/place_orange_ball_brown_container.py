import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceOrangeBallBrownContainer(Task):
    """Put the orange ball in the brown container.

    Written by the offline rule-based generator from the idea:
    'put the orange ball in the brown container'
    """

    def __init__(self):
        super().__init__()
        # 1 pick-and-place action plus one spare.
        self.max_steps = 2
        self.lang_template = 'put the orange ball in the brown container'
        self.task_completed_desc = 'done placing.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The brown container (container-template, 15 x 15 x 5 cm).
        brown_container_size = (0.15, 0.15, 0.05)
        brown_container_urdf = self.fill_template('container/container-template.urdf', {'DIM': (0.15, 0.15, 0.05), 'HALF': (0.075, 0.075, 0.025)})
        brown_container_poses = []
        for color in ['brown']:
            pose = self.get_random_pose(env, brown_container_size)
            env.add_object(brown_container_urdf, pose, 'fixed', color=utils.COLORS[color])
            brown_container_poses.append(pose)

        # The orange ball (ball-template, 4 x 4 x 4 cm).
        orange_ball_size = (0.04, 0.04, 0.04)
        orange_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        orange_ball_ids = []
        for color in ['orange']:
            pose = self.get_random_pose(env, orange_ball_size)
            orange_ball_ids.append(env.add_object(orange_ball_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the orange ball in the brown container.
        targets_0 = [
            (utils.apply(brown_container_poses[0], (0.0, 0.0, -0.005)), brown_container_poses[0][1])]
        self.add_goal(objs=orange_ball_ids, matches=np.ones((1, 1)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1, symmetries=[0],
                      language_goal='put the orange ball in the brown container')
