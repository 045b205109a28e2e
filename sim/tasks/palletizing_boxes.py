import numpy as np
import pybullet as p
from cliport.tasks.task import Task
from cliport.utils import utils


class PalletizingBoxes(Task):
    """Stack 18 identical brown boxes on a wooden pallet in three layers of six, each layer turned
    by 90 degrees. The boxes arrive one at a time: a new box appears on the table as soon as the
    previous one has been taken away."""

    def __init__(self):
        super().__init__()
        # 18 boxes, 18 actions; the rest is slack for retries.
        self.max_steps = 30
        self.lang_template = "stack all the boxes on the pallet"
        self.task_completed_desc = "done stacking boxes."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The pallet, at a fixed place on the right of the table; its zone reaches 25 cm high.
        zone_size = (0.3, 0.25, 0.25)
        zone_pose = ((0.5, 0.25, 0.02), utils.eulerXYZ_to_quatXYZW((0, 0, 0)))
        env.add_object('pallet/pallet.urdf', zone_pose, 'fixed')

        # Build the finished stack on the pallet: a 19 cm cube of 2 x 3 x 3 boxes with 2 cm gaps
        # (wider than the original 1 cm, so that a box placed a little off its slot does not land
        # on a neighbour's edge and topple),
        # the grid transposed on every layer so that layers interlock.
        margin = 0.02
        stack_size = np.float32([0.19, 0.19, 0.19])
        stack_dim = np.int32([2, 3, 3])
        box_size = (stack_size - (stack_dim - 1) * margin) / stack_dim
        object_ids = []
        for z in range(stack_dim[2]):
            stack_dim[0], stack_dim[1] = stack_dim[1], stack_dim[0]
            box_size[0], box_size[1] = box_size[1], box_size[0]
            for y in range(stack_dim[1]):
                for x in range(stack_dim[0]):
                    position = (np.float32([x, y, z]) + 0.5) * box_size
                    position += (x * margin - stack_size[0] / 2, y * margin - stack_size[1] / 2,
                                 z * margin + 0.03)
                    pose = utils.multiply(zone_pose, (position, (0, 0, 0, 1)))
                    box_urdf = self.fill_template('box/box-template.urdf', {'DIM': box_size})
                    box_id = env.add_object(box_urdf, pose)
                    self.color_random_brown(box_id)
                    object_ids.append(box_id)

        # Take the stack apart top-down, always choosing a random box on the top surface: its
        # pose in the stack is its target, and the box is parked out of sight (10 m away).
        # Reversed, this order is a valid build order, and `steps` feeds the boxes back in it.
        # Parked boxes are frozen (no mass, no collisions) until they are fed in: a stack of 17
        # resting boxes would otherwise double the cost of every simulation step.
        targets, self.steps, self.parked = {}, [], {}
        boxes = object_ids[:]
        while boxes:
            _, height, mask = self.get_true_image(env)
            top = np.argwhere(height > np.max(height) - 0.03)
            row, col = top[np.random.randint(len(top))]
            box_id = int(mask[row, col])
            if box_id in boxes:
                position, rotation = p.getBasePositionAndOrientation(box_id)
                p.resetBasePositionAndOrientation(box_id, np.float32(position) + (0, -10, 0), rotation)
                self.park(box_id)
                self.steps.append(box_id)
                targets[box_id] = (position, rotation)
                boxes.remove(box_id)
        self.steps.reverse()

        # Goal: every box in the pallet zone; each box's own slot guides the oracle.
        self.add_goal(objs=object_ids, matches=np.eye(len(object_ids)),
                      targ_poses=[targets[box_id] for box_id in object_ids],
                      replace=False, rotations=True, metric='zone',
                      params=[(zone_pose, zone_size)], step_max_reward=1,
                      language_goal=self.lang_template)
        self.spawn_box()

    def reward(self):
        """Score as usual, then feed the next box if the previous one has left the table."""
        reward, info = super().reward()
        self.spawn_box()
        return reward, info

    def park(self, box_id):
        """Freeze `box_id` where it is: no mass (Bullet then treats it as static), no collisions."""
        self.parked[box_id] = p.getDynamicsInfo(box_id, -1)
        p.changeDynamics(box_id, -1, mass=0)
        p.setCollisionFilterGroupMask(box_id, -1, 0, 0)

    def unpark(self, box_id):
        """Give `box_id` back its mass, inertia and default collisions (group 1, every mask bit)."""
        info = self.parked.pop(box_id)
        p.changeDynamics(box_id, -1, mass=info[0], localInertiaDiagonal=info[2])
        p.setCollisionFilterGroupMask(box_id, -1, 1, -1)

    def spawn_box(self):
        """Put the next parked box on the table at (0.5, -0.25) if no box is left there, and let
        it settle (at most 480 simulation steps: until it has landed and moves slower than 5 mm/s)."""
        if not self.goals or not self.steps:
            return
        # A box is "on the table" when it lies in the left half of the workspace (-0.5 < y < 0).
        on_table = [obj for obj, _ in self.goals[0][0]
                    if -0.5 <= p.getBasePositionAndOrientation(obj)[0][1] <= 0]
        if on_table:
            return
        box_id = self.steps.pop(0)
        yaw = np.random.rand() * 2 * np.pi
        p.resetBasePositionAndOrientation(box_id, (0.5, -0.25, 0.1), utils.eulerXYZ_to_quatXYZW((0, 0, yaw)))
        self.unpark(box_id)
        for _ in range(480):
            p.stepSimulation()
            if np.linalg.norm(p.getBaseVelocity(box_id)[0]) < 0.005 and p.getContactPoints(box_id):
                break
