"""Scene-building helpers of the Task API (docs/task-api.md#scene-helpers): piles, ropes, kitting objects,
corner anchors, random sizes, object sample points. Mixed into `sim.task.Task`; every method uses the
numpy/Python global RNGs exactly where the original did, so seeded episodes stay reproducible.
"""

from __future__ import annotations

import os

import numpy as np
import pybullet as p

from sim import utils

# Rotational symmetry per kitting shape id (docs/assets.md#kitting-shapes; equal to sim.assetgen.kitting.SHAPES,
# checked by a test; literal here so that task imports do not load trimesh).
KITTING_SYMMETRY = [
    2 * np.pi,
    2 * np.pi,
    2 * np.pi / 3,
    np.pi / 2,
    np.pi / 2,
    2 * np.pi,
    np.pi,
    2 * np.pi / 5,
    np.pi,
    np.pi / 2,
    2 * np.pi / 5,
    0,
    2 * np.pi,
    2 * np.pi,
    2 * np.pi,
    2 * np.pi,
    0,
    2 * np.pi / 6,
    2 * np.pi,
    2 * np.pi,
]


class SceneHelpers:
    """Methods expecting the Task attributes `bounds`, `num_blocks`, `assets_root`, `mode`,
    `train_set`, `test_set`, `homogeneous`, and the methods `get_random_pose`, `fill_template`."""

    def get_random_size(self, min_x, max_x, min_y, max_y, min_z, max_z):
        """-> (sx, sy, sz), each uniform in its range (numpy RNG)."""
        size = np.random.rand(3)
        size[0] = size[0] * (max_x - min_x) + min_x
        size[1] = size[1] * (max_y - min_y) + min_y
        size[2] = size[2] * (max_z - min_z) + min_z
        return tuple(size)

    def make_piles(self, env, block_color=None, *args, **kwargs):
        """`num_blocks` 1 cm cubes at x in [0.40, 0.60], y in [-0.10, 0.10], z 0.01 -> ids.
        `block_color` may be a colour name or an RGB sequence."""
        obj_ids = []
        for _ in range(self.num_blocks):
            rx = self.bounds[0, 0] + 0.15 + np.random.rand() * 0.2
            ry = self.bounds[1, 0] + 0.4 + np.random.rand() * 0.2
            theta = np.random.rand() * 2 * np.pi
            obj_id = env.add_object("block/small.urdf", ((rx, ry, 0.01), utils.eulerXYZ_to_quatXYZW((0, 0, theta))))
            if block_color is not None:
                p.changeVisualShape(obj_id, -1, rgbaColor=utils.as_rgb(block_color) + [1])
            obj_ids.append(obj_id)
        return obj_ids

    def make_ropes(self, env, corners, radius=0.005, n_parts=20, color_name="red", *args, **kwargs):
        """A chain of `n_parts` beads (box collision of half-extent `radius`, sphere visual 1.5 x radius,
        mass 0.1) joined by point-to-point constraints, stacked above a random free spot.
        -> (objects [(id, (0, None))], targets [(xyz, identity)] evenly spaced on corner0->corner1,
        matches = identity + anti-identity, so either rope direction counts)."""
        corner0, corner1 = corners
        increment = (np.float32(corner1) - np.float32(corner0)) / n_parts
        position, _ = self.get_random_pose(env, (0.1, 0.1, 0.1))
        position = np.float32(position)
        part_shape = p.createCollisionShape(p.GEOM_BOX, halfExtents=[radius] * 3)
        part_visual = p.createVisualShape(p.GEOM_SPHERE, radius=radius * 1.5)
        parent_id = -1
        targets, objects = [], []
        for i in range(n_parts):
            position[2] += np.linalg.norm(increment)
            part_id = p.createMultiBody(0.1, part_shape, part_visual, basePosition=position)
            if parent_id > -1:
                constraint_id = p.createConstraint(
                    parentBodyUniqueId=parent_id,
                    parentLinkIndex=-1,
                    childBodyUniqueId=part_id,
                    childLinkIndex=-1,
                    jointType=p.JOINT_POINT2POINT,
                    jointAxis=(0, 0, 0),
                    parentFramePosition=(0, 0, np.linalg.norm(increment)),
                    childFramePosition=(0, 0, 0),
                )
                p.changeConstraint(constraint_id, maxForce=100)
            if 0 < i < n_parts - 1:
                p.changeVisualShape(part_id, -1, rgbaColor=utils.as_rgb(color_name) + [1])
            env.obj_ids["rigid"].append(part_id)
            parent_id = part_id
            target_xyz = np.float32(corner0) + i * increment + increment / 2
            objects.append((part_id, (0, None)))
            targets.append((target_xyz, (0, 0, 0, 1)))
        matches = np.clip(np.eye(n_parts) + np.eye(n_parts)[::-1], 0, 1)
        return objects, targets, matches

    make_rope = make_ropes

    def get_kitting_shapes(self, n_objects):
        """Shape ids: train mode samples 0..13 with replacement, other modes 14..19 (all equal when
        `homogeneous`)."""
        if self.mode == "train":
            return np.random.choice(self.train_set, n_objects)
        if self.homogeneous:
            return [np.random.choice(self.test_set)] * n_objects
        return np.random.choice(self.test_set, n_objects)

    def make_kitting_objects(self, env, targets, obj_shapes, n_objects, colors):
        """Spawn kitting shapes at random poses -> (objects [(id, (symmetry, None))], matches int
        array (n_objects, len(targets)) marking targets of the same shape)."""
        objects, matches = [], []
        for i in range(n_objects):
            shape = obj_shapes[i]
            pose = self.get_random_pose(env, (0.08, 0.08, 0.02))
            fname = os.path.join(self.assets_root, "kitting", f"{shape:02d}.obj")
            replace = {"FNAME": (fname,), "SCALE": [0.003, 0.003, 0.001], "COLOR": colors[i]}
            block_id = env.add_object(self.fill_template("kitting/object-template.urdf", replace), pose)
            objects.append((block_id, (KITTING_SYMMETRY[shape], None)))
            match = np.zeros(len(targets))
            match[np.argwhere(np.asarray(obj_shapes) == shape).reshape(-1)] = 1
            matches.append(match)
        return objects, np.int32(matches)

    def add_corner_anchor_for_pose(self, env, pose):
        """Fixed visual-only corner marker at `pose` (a bare position gets identity orientation)."""
        urdf = self.fill_template("corner/corner-template.urdf", {"DIMX": (0.04,), "DIMY": (0.04,)})
        if len(pose) != 2:
            pose = [pose, (0, 0, 0, 1)]
        env.add_object(urdf, pose, "fixed")

    def get_target_sample_surface_points(self, model, scale, pose, num_points=50):
        """`num_points` points sampled inside the mesh file `model`, scaled, moved by `pose`
        -> list of (xyz, identity) poses (trimesh volume sampling, numpy RNG)."""
        import trimesh  # ~1 s to import: every sandboxed run loads this module, few tasks sample meshes

        mesh = trimesh.load_mesh(model)
        points = trimesh.sample.volume_mesh(mesh, num_points * 3)[:num_points]
        points = utils.apply(pose, (points * np.array(scale)).T)
        return [((x, y, z), (0, 0, 0, 1)) for x, y, z in zip(points[0], points[1], points[2])]

    def color_random_brown(self, obj):
        """Recolour `obj` to a random shade (0.5..1.5) of brown."""
        shade = np.random.rand() + 0.5
        color = np.float32([shade * 156, shade * 117, shade * 95, 255]) / 255
        p.changeVisualShape(obj, -1, rgbaColor=color)

    def get_box_object_points(self, obj):
        """3xN grid (0.02 m) over the first visual shape's dimensions, in the object frame."""
        dims = p.getVisualShapeData(obj)[0][3]
        xv, yv, zv = np.meshgrid(
            np.arange(-dims[0] / 2, dims[0] / 2, 0.02),
            np.arange(-dims[1] / 2, dims[1] / 2, 0.02),
            np.arange(-dims[2] / 2, dims[2] / 2, 0.02),
            sparse=False,
            indexing="xy",
        )
        return np.vstack((xv.reshape(1, -1), yv.reshape(1, -1), zv.reshape(1, -1)))

    get_sphere_object_points = get_box_object_points

    def get_mesh_object_points(self, obj):
        """3xN grid (0.02 m) over the bounds of the object's mesh vertices."""
        mesh_points = np.float32(p.getMeshData(obj)[1])
        mins, maxs = np.min(mesh_points, axis=0), np.max(mesh_points, axis=0)
        xv, yv, zv = np.meshgrid(
            np.arange(mins[0], maxs[0], 0.02),
            np.arange(mins[1], maxs[1], 0.02),
            np.arange(mins[2], maxs[2], 0.02),
            sparse=False,
            indexing="xy",
        )
        return np.vstack((xv.reshape(1, -1), yv.reshape(1, -1), zv.reshape(1, -1)))
