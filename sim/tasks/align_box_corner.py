import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class AlignBoxCorner(Task):
    """Pick up a randomly sized brown box and place it so that one of its corners fits an L-shaped
    green marker on the table. Any of the box's four corners may be used, so there are four valid
    final poses."""

    def __init__(self):
        super().__init__()
        # One pick-and-place solves the task; two spare actions allow a retry.
        self.max_steps = 3
        self.lang_template = "align the brown box with the green corner"
        self.task_completed_desc = "done with alignment"
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # A flat box of random footprint (5-15 cm a side) and height (1-6 cm).
        box_size = self.get_random_size(0.05, 0.15, 0.05, 0.15, 0.01, 0.06)

        # The L marker: two thin bars offset so that their inner edges trace one corner of a box of
        # `box_size` centred on the marker pose (bars are 5.5 cm long and 5 mm wide).
        dimx = (box_size[0] / 2 - 0.025 + 0.0025, box_size[0] / 2 + 0.0025)
        dimy = (box_size[1] / 2 + 0.0025, box_size[1] / 2 - 0.025 + 0.0025)
        corner_urdf = self.fill_template('corner/corner-template.urdf', {'DIMX': dimx, 'DIMY': dimy})
        corner_size = (box_size[0], box_size[1], 0)
        corner_pose = self.get_random_pose(env, corner_size)
        env.add_object(corner_urdf, corner_pose, 'fixed')

        # The four poses that put a box corner into the marker: the marker pose itself, the same
        # centre turned by pi (the opposite corner), and two poses turned by +-pi/2 whose centre is
        # shifted so that a short side meets the long bar.
        theta = utils.quatXYZW_to_eulerXYZ(corner_pose[1])[2]
        flipped = (corner_pose[0], utils.eulerXYZ_to_quatXYZW((0, 0, theta + np.pi)))
        alt_pos = (box_size[0] / 2 - box_size[1] / 2, box_size[1] / 2 - box_size[0] / 2, 0)
        alt_pose0 = utils.multiply(corner_pose, (alt_pos, utils.eulerXYZ_to_quatXYZW((0, 0, np.pi / 2))))
        alt_pose1 = utils.multiply(corner_pose, (alt_pos, utils.eulerXYZ_to_quatXYZW((0, 0, 3 * np.pi / 2))))

        # The box itself, somewhere free on the table, in a random shade of brown.
        box_urdf = self.fill_template('box/box-template.urdf', {'DIM': np.float32(box_size)})
        box_pose = self.get_random_pose(env, box_size)
        box_id = env.add_object(box_urdf, box_pose)
        self.color_random_brown(box_id)

        # Goal: the box reaches any one of the four poses; its yaw is checked (symmetry 2*pi).
        self.add_goal(objs=[box_id], matches=np.int32([[1, 1, 1, 1]]),
                      targ_poses=[corner_pose, flipped, alt_pose0, alt_pose1], replace=False,
                      rotations=True, metric='pose', params=None, step_max_reward=1,
                      symmetries=[2 * np.pi], language_goal=self.lang_template)
