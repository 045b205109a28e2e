import os

import numpy as np
from cliport.tasks.task import Task
from cliport.utils import utils


class AssemblingKits(Task):
    """Fit five coloured shapes (letters, polygons, a star, ...) into the matching shape-sized holes
    of a kit board. Each shape must be turned to the hole's orientation, up to the shape's own
    rotational symmetry."""

    def __init__(self):
        super().__init__()
        # Five shapes, five actions; the rest is slack for retries.
        self.max_steps = 10
        self.lang_template = "put all the blocks inside the holes they fit in"
        self.task_completed_desc = "done assembling blocks."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)

        # The kit board (28 x 20 cm), fixed to the table.
        kit_size = (0.28, 0.2, 0.005)
        kit_pose = self.get_random_pose(env, kit_size)
        env.add_object('kitting/kit.urdf', kit_pose, 'fixed')

        # Five shape ids from the current split (train: 0..13, test: 14..19); repeats are allowed.
        n_objects = 5
        obj_shapes = self.get_kitting_shapes(n_objects)
        colors = [utils.COLORS[c] for c in ['purple', 'blue', 'green', 'yellow', 'red']]

        # The holes: flat dark-gray silhouettes of each shape (z scale 0.0001, i.e. 2 mm tall),
        # on a 3-over-2 grid in the board's frame, each at a random yaw.
        hole_pos = [(-0.09, 0.045, 0.0014), (0, 0.045, 0.0014), (0.09, 0.045, 0.0014),
                    (-0.045, -0.045, 0.0014), (0.045, -0.045, 0.0014)]
        targets = []
        for shape, pos in zip(obj_shapes, hole_pos):
            mesh = os.path.join(self.assets_root, 'kitting', f'{shape:02d}.obj')
            hole_urdf = self.fill_template('kitting/object-template.urdf', {
                'FNAME': (mesh,), 'SCALE': (0.003, 0.003, 0.0001), 'COLOR': (0.2, 0.2, 0.2)})
            hole_pose = (utils.apply(kit_pose, pos),
                         utils.eulerXYZ_to_quatXYZW((0, 0, np.random.rand() * 2 * np.pi)))
            env.add_object(hole_urdf, hole_pose, 'fixed')
            targets.append(hole_pose)

        # The shapes themselves, scattered on the table; `matches` pairs each shape with every
        # hole of the same shape id, and each object carries its shape's symmetry.
        objects, matches = self.make_kitting_objects(env, targets=targets, obj_shapes=obj_shapes,
                                                     n_objects=n_objects, colors=colors)

        # Goal: every shape in a matching hole, at a matching yaw.
        self.add_goal(objs=objects, matches=np.int32(matches), targ_poses=targets, replace=False,
                      rotations=True, metric='pose', params=None, step_max_reward=1,
                      language_goal=self.lang_template)
