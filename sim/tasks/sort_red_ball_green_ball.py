import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class SortRedBallGreenBall(Task):
    """Sort the two red balls and the two green balls and the two blue balls into the red container,
    green container, blue container of matching colour.

    Written by the offline rule-based generator from the idea:
    'sort the balls by colour into matching containers'
    """

    def __init__(self):
        super().__init__()
        # 6 pick-and-place actions plus 2 spares (one per six objects).
        self.max_steps = 8
        self.lang_template = 'sort the two red balls and the two green balls and the two blue balls into the red container, green container, blue container of matching colour'
        self.task_completed_desc = 'done sorting.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The red container (container-template, 15 x 15 x 5 cm).
        red_container_size = (0.15, 0.15, 0.05)
        red_container_urdf = self.fill_template('container/container-template.urdf', {'DIM': (0.15, 0.15, 0.05), 'HALF': (0.075, 0.075, 0.025)})
        red_container_poses = []
        for color in ['red']:
            pose = self.get_random_pose(env, red_container_size)
            env.add_object(red_container_urdf, pose, 'fixed', color=utils.COLORS[color])
            red_container_poses.append(pose)

        # The green container (container-template, 15 x 15 x 5 cm).
        green_container_size = (0.15, 0.15, 0.05)
        green_container_urdf = self.fill_template('container/container-template.urdf', {'DIM': (0.15, 0.15, 0.05), 'HALF': (0.075, 0.075, 0.025)})
        green_container_poses = []
        for color in ['green']:
            pose = self.get_random_pose(env, green_container_size)
            env.add_object(green_container_urdf, pose, 'fixed', color=utils.COLORS[color])
            green_container_poses.append(pose)

        # The blue container (container-template, 15 x 15 x 5 cm).
        blue_container_size = (0.15, 0.15, 0.05)
        blue_container_urdf = self.fill_template('container/container-template.urdf', {'DIM': (0.15, 0.15, 0.05), 'HALF': (0.075, 0.075, 0.025)})
        blue_container_poses = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_container_size)
            env.add_object(blue_container_urdf, pose, 'fixed', color=utils.COLORS[color])
            blue_container_poses.append(pose)

        # Two red balls (ball-template, 4 x 4 x 4 cm).
        red_ball_size = (0.04, 0.04, 0.04)
        red_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        red_ball_ids = []
        for color in ['red', 'red']:
            pose = self.get_random_pose(env, red_ball_size)
            red_ball_ids.append(env.add_object(red_ball_urdf, pose, color=utils.COLORS[color]))

        # Two green balls (ball-template, 4 x 4 x 4 cm).
        green_ball_size = (0.04, 0.04, 0.04)
        green_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        green_ball_ids = []
        for color in ['green', 'green']:
            pose = self.get_random_pose(env, green_ball_size)
            green_ball_ids.append(env.add_object(green_ball_urdf, pose, color=utils.COLORS[color]))

        # Two blue balls (ball-template, 4 x 4 x 4 cm).
        blue_ball_size = (0.04, 0.04, 0.04)
        blue_ball_urdf = self.fill_template('ball/ball-template.urdf', {'DIM': (0.02,)})
        blue_ball_ids = []
        for color in ['blue', 'blue']:
            pose = self.get_random_pose(env, blue_ball_size)
            blue_ball_ids.append(env.add_object(blue_ball_urdf, pose, color=utils.COLORS[color]))

        # Goal: put the two red balls in the red container (spaced slots, one object each).
        targets_0 = [
            (utils.apply(red_container_poses[0], (-0.025, 0.0, -0.005)), red_container_poses[0][1]),
            (utils.apply(red_container_poses[0], (0.025, 0.0, -0.005)), red_container_poses[0][1])]
        self.add_goal(objs=red_ball_ids, matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0] * 2,
                      language_goal='put the two red balls in the red container')

        # Goal: put the two green balls in the green container (spaced slots, one object each).
        targets_1 = [
            (utils.apply(green_container_poses[0], (-0.025, 0.0, -0.005)), green_container_poses[0][1]),
            (utils.apply(green_container_poses[0], (0.025, 0.0, -0.005)), green_container_poses[0][1])]
        self.add_goal(objs=green_ball_ids, matches=np.ones((2, 2)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0] * 2,
                      language_goal='put the two green balls in the green container')

        # Goal: put the two blue balls in the blue container (spaced slots, one object each).
        targets_2 = [
            (utils.apply(blue_container_poses[0], (-0.025, 0.0, -0.005)), blue_container_poses[0][1]),
            (utils.apply(blue_container_poses[0], (0.025, 0.0, -0.005)), blue_container_poses[0][1])]
        self.add_goal(objs=blue_ball_ids, matches=np.ones((2, 2)), targ_poses=targets_2,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 3, symmetries=[0] * 2,
                      language_goal='put the two blue balls in the blue container')
