import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class CarBlackWheelBluePlank(Task):
    """Build a car from the two black wheels and the blue plank and the yellow block.

    Written by the offline rule-based generator from the idea:
    'build a car'
    """

    def __init__(self):
        super().__init__()
        # 4 pick-and-place actions plus one spare.
        self.max_steps = 5
        self.lang_template = 'build a car from the two black wheels and the blue plank and the yellow block'
        self.task_completed_desc = 'done building.'
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # Build area: a thin grey plate that keeps other objects off the structure's footprint.
        car_base_size = (0.16, 0.08, 0.002)
        car_base_pose = self.get_random_pose(env, car_base_size)
        car_base_urdf = self.fill_template('box/box-template.urdf', {'DIM': car_base_size})
        env.add_object(car_base_urdf, car_base_pose, 'fixed', color=utils.COLORS['gray'])

        # Two black wheels (cylinder-template, 5 x 5 x 2.5 cm).
        black_wheel_size = (0.05, 0.05, 0.025)
        black_wheel_urdf = self.fill_template('cylinder/cylinder-template.urdf', {'DIM': (0.025, 0.025, 0.025)})
        black_wheel_ids = []
        for color in ['black', 'black']:
            pose = self.get_random_pose(env, black_wheel_size)
            black_wheel_ids.append(env.add_object(black_wheel_urdf, pose, color=utils.COLORS[color]))

        # The blue plank (box-template, 12 x 4 x 2 cm).
        blue_plank_size = (0.12, 0.04, 0.02)
        blue_plank_urdf = self.fill_template('box/box-template.urdf', {'DIM': (0.12, 0.04, 0.02)})
        blue_plank_ids = []
        for color in ['blue']:
            pose = self.get_random_pose(env, blue_plank_size)
            blue_plank_ids.append(env.add_object(blue_plank_urdf, pose, color=utils.COLORS[color]))

        # The yellow block (block, 4 x 4 x 4 cm).
        yellow_block_size = (0.04, 0.04, 0.04)
        yellow_block_ids = []
        for color in ['yellow']:
            pose = self.get_random_pose(env, yellow_block_size)
            yellow_block_ids.append(env.add_object('stacking/block.urdf', pose, color=utils.COLORS[color]))

        # Build the car bottom-up: one goal per layer.
        targets_0 = [
            (utils.apply(car_base_pose, (-0.035, 0.0, 0.0145)), car_base_pose[1]),
            (utils.apply(car_base_pose, (0.035, 0.0, 0.0145)), car_base_pose[1])]
        self.add_goal(objs=black_wheel_ids, matches=np.ones((2, 2)), targ_poses=targets_0,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 2, symmetries=[0] * 2,
                      language_goal='put the two black wheels as the supports of the car')

        targets_1 = [(utils.apply(car_base_pose, (0, 0, 0.037)), car_base_pose[1])]
        self.add_goal(objs=blue_plank_ids, matches=np.ones((1, 1)), targ_poses=targets_1,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 4, symmetries=[np.pi],
                      language_goal='put the blue plank on top of the car')

        targets_2 = [(utils.apply(car_base_pose, (0, 0, 0.067)), car_base_pose[1])]
        self.add_goal(objs=yellow_block_ids, matches=np.ones((1, 1)), targ_poses=targets_2,
                      replace=False, rotations=True, metric='pose', params=None,
                      step_max_reward=1 / 4, symmetries=[np.pi / 2],
                      language_goal='put the yellow block as the cabin on top of the car')
