import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class PackingBoxes(Task):
    """Pack a set of randomly sized coloured boxes into an open brown container. The boxes are
    made by cutting the container's volume into pieces, so they fit only if packed tightly; they
    start scattered on the table."""

    def __init__(self):
        super().__init__()
        self.max_steps = 20
        # The zone metric only counts box points below 8 cm, i.e. inside the 5 cm deep container
        # (not piled on top of it).
        self.zone_bounds = np.array([[0.25, 0.75], [-0.5, 0.5], [0, 0.08]])
        self.lang_template = "pack all the boxes inside the brown box"
        self.task_completed_desc = "done packing boxes."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The container: random 5-30 cm footprint, 5 cm deep, fixed to the table.
        zone_size = self.get_random_size(0.05, 0.3, 0.05, 0.3, 0.05, 0.05)
        zone_pose = self.get_random_pose(env, zone_size)
        container_urdf = self.fill_template('container/container-template.urdf',
                                            {'DIM': zone_size, 'HALF': np.float32(zone_size) / 2})
        env.add_object(container_urdf, zone_pose, 'fixed')

        # Cut the inner volume (1 cm smaller than the container on x and y) into boxes with a KD
        # split: pieces at least 5 cm on a split axis, 1 cm margins between neighbours.
        stack_size = np.array(zone_size)
        stack_size[:2] -= 0.01
        root = utils.TreeNode(None, [], bbox=np.array((0.01, 0.01, 0) + tuple(stack_size)))
        bboxes = []
        utils.KDTree(root, 0.05, 0.01, bboxes)

        # Create each box in its packed place (as a pose in the container's frame) so that its
        # packed pose can be read back from the simulator.
        colors = [utils.COLORS[c] for c in utils.COLORS_NAMES if c != 'brown']
        object_ids = []
        for bbox in np.array(bboxes):
            size = bbox[3:] - bbox[:3]
            position = size / 2 + bbox[:3] - (zone_size[0] / 2, zone_size[1] / 2, 0)
            pose = utils.multiply(zone_pose, (position, (0, 0, 0, 1)))
            box_urdf = self.fill_template('box/box-template.urdf', {'DIM': size})
            color = colors[np.random.randint(len(colors))]
            object_ids.append(env.add_object(box_urdf, pose, color=color))

        # Remember each packed pose as the oracle's target, then move the box out onto the table.
        targets = []
        for object_id in object_ids:
            targets.append(p.getBasePositionAndOrientation(object_id))
            object_size = p.getVisualShapeData(object_id)[0][3]
            pose = self.get_random_pose(env, object_size)
            p.resetBasePositionAndOrientation(object_id, pose[0], pose[1])

        # Goal: all boxes inside the container; the zone metric pays per sampled box point inside.
        self.add_goal(objs=object_ids, matches=np.eye(len(object_ids)), targ_poses=targets,
                      replace=False, rotations=True, metric='zone',
                      params=[(zone_pose, zone_size)], step_max_reward=1,
                      language_goal=self.lang_template)
