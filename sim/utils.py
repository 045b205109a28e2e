"""Task-facing helpers of `cliport.utils.utils` (docs/task-api.md#utils): colours, pose algebra, Euler
conversions, heightmaps, kitting/hanoi/packing helpers. Import-light on purpose (numpy, pybullet only).

Poses are (position xyz in metres, quaternion xyzw) pairs in PyBullet conventions.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pybullet as p

from sim import fallbacks

# ---------------------------------------- colours (docs/task-api.md#utils-colours)


class _Colors(dict):
    """`COLORS[name]` never raises: an unknown name becomes pure red (and is inserted, like the
    original defaultdict), and a warning is recorded."""

    def __missing__(self, key):
        fallbacks.warn(f"unknown colour {key!r} replaced by red")
        self[key] = [1.0, 0.0, 0.0]
        return self[key]


_RGB255 = {
    "blue": (78, 121, 167),
    "red": (255, 87, 89),
    "green": (89, 169, 78),
    "orange": (242, 142, 43),
    "yellow": (237, 201, 72),
    "purple": (176, 122, 161),
    "pink": (255, 157, 167),
    "cyan": (118, 183, 178),
    "brown": (156, 117, 95),
    "white": (255, 255, 255),
    "gray": (186, 176, 172),
    "indigo": (75, 0, 130),
    "violet": (143, 0, 255),
    "black": (0, 0, 0),
    "silver": (192, 192, 192),
    "gold": (255, 215, 0),
}
COLORS = _Colors({k: [c / 255 for c in v] for k, v in _RGB255.items()})
COLORS_NAMES = list(_RGB255)
TRAIN_COLORS = ["blue", "red", "green", "yellow", "brown", "gray", "cyan"]
EVAL_COLORS = ["blue", "red", "green", "orange", "purple", "pink", "white"]


def get_colors_names(mode):
    """The colour-name pool; like the original it ignores `mode` and returns TRAIN_COLORS."""
    return TRAIN_COLORS


def get_colors(mode, n_colors=-1, **kwargs):
    """-> (list of RGB lists, list of names). n_colors=-1: all 7 train colours in order; otherwise
    `random.sample` of n names (Python RNG; ValueError when n > 7, as the original)."""
    names = get_colors_names(mode)
    if n_colors != -1:
        names = random.sample(names, n_colors)
    return [COLORS[n] for n in names], names


def get_random_color():
    """One random train colour: ([rgb], [name])."""
    return get_colors(mode="train", n_colors=1)


def as_rgb(color) -> list[float]:
    """Normalise a colour given as a name, list, tuple or numpy array to an [r, g, b] float list
    (the original raised on tuples and added 1 to arrays, docs/compat.md#colour-handling)."""
    if isinstance(color, str):
        return list(COLORS[color])[:3]
    return [float(c) for c in list(np.asarray(color, dtype=float).reshape(-1))[:3]]


# ---------------------------------------- pose algebra (docs/task-api.md#utils-geometry)


def invert(pose):
    """Inverse of a pose -> (position tuple, quaternion tuple)."""
    return p.invertTransform(pose[0], pose[1])


def multiply(pose0, pose1):
    """Composition pose0 * pose1 -> (position tuple, quaternion tuple)."""
    return p.multiplyTransforms(pose0[0], pose0[1], pose1[0], pose1[1])


def apply(pose, position):
    """Transform a point (3,) or points (3, N) by `pose` -> tuple shaped like the input, of float32
    values like the original (the oracle recognises float32 bare positions as targets)."""
    position = np.float32(position)
    shape = position.shape
    rotation = np.float32(p.getMatrixFromQuaternion(pose[1])).reshape(3, 3)
    translation = np.float32(pose[0]).reshape(3, 1)
    out = rotation @ position.reshape(3, -1) + translation
    return tuple(out.reshape(shape))


def eulerXYZ_to_quatXYZW(rotation):  # original name
    """Euler (rx, ry, rz) -> quaternion xyzw: the original's transforms3d call
    `euler2quat(rz, rx, ry, axes='szxy')` written out (static axes z, x, y; R = Ry Rx Rz).
    Pure yaw gives the ordinary yaw quaternion."""
    ai, aj, ak = float(rotation[2]) / 2, float(rotation[0]) / 2, float(rotation[1]) / 2
    ci, si, cj, sj = math.cos(ai), math.sin(ai), math.cos(aj), math.sin(aj)
    ck, sk = math.cos(ak), math.sin(ak)
    cc, cs, sc, ss = ci * ck, ci * sk, si * ck, si * sk
    return (cj * ss + sj * cc, cj * cs - sj * sc, cj * sc - sj * cs, cj * cc + sj * ss)


def quatXYZW_to_eulerXYZ(quaternion_xyzw):  # original name
    """Inverse of `eulerXYZ_to_quatXYZW` -> (rx, ry, rz) radians (transforms3d `mat2euler`,
    axes 'szxy')."""
    m = np.array(p.getMatrixFromQuaternion(quaternion_xyzw)).reshape(3, 3)
    cy = math.sqrt(m[2, 2] ** 2 + m[0, 2] ** 2)
    if cy > 1e-6:
        rz, rx, ry = math.atan2(m[1, 0], m[1, 1]), math.atan2(-m[1, 2], cy), math.atan2(m[0, 2], m[2, 2])
    else:
        rz, rx, ry = math.atan2(-m[0, 1], m[0, 0]), math.atan2(-m[1, 2], cy), 0.0
    return (rx, ry, rz)


def q_mult(q1, q2):
    """Hamilton product of two (w, x, y, z) quaternions."""
    w1, x1, y1, z1 = q1
    w2, x2, y2, z2 = q2
    return (
        w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
        w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
        w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
        w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
    )


# ---------------------------------------- heightmaps (docs/task-api.md#true-image,
# docs/task-api.md#utils-geometry)


def sample_distribution(prob, n_samples=1):
    """Sample pixel coordinates proportionally to `prob` (numpy RNG) -> int array (2,) or (n, 2)."""
    flat = prob.flatten() / np.sum(prob)
    rand_ind = np.random.choice(np.arange(len(flat)), n_samples, p=flat, replace=False)
    rand_ind_coords = np.array(np.unravel_index(rand_ind, prob.shape)).T
    return np.int32(rand_ind_coords.squeeze())


def pix_to_xyz(pixel, height, bounds, pixel_size, skip_height=False):
    """Heightmap pixel (row u <-> y, col v <-> x) -> (x, y, z)."""
    u, v = pixel
    x = bounds[0, 0] + v * pixel_size
    y = bounds[1, 0] + u * pixel_size
    z = 0.0 if skip_height else bounds[2, 0] + height[u, v]
    return (x, y, z)


def xyz_to_pix(position, bounds, pixel_size):
    """(x, y, z) -> heightmap pixel (row u, col v)."""
    u = int(np.round((position[1] - bounds[1, 0]) / pixel_size))
    v = int(np.round((position[0] - bounds[0, 0]) / pixel_size))
    return (u, v)


def get_pointcloud(depth, intrinsics):
    """Back-project a depth image (H, W metres) with 3x3 intrinsics -> (H, W, 3) camera-frame points."""
    height, width = depth.shape
    xlin, ylin = np.linspace(0, width - 1, width), np.linspace(0, height - 1, height)
    px, py = np.meshgrid(xlin, ylin)
    px = (px - intrinsics[0, 2]) * (depth / intrinsics[0, 0])
    py = (py - intrinsics[1, 2]) * (depth / intrinsics[1, 1])
    return np.float32([px, py, depth]).transpose(1, 2, 0)


def transform_pointcloud(points, transform):
    """Apply a 4x4 rigid transform to (H, W, 3) points."""
    padding = ((0, 0), (0, 0), (0, 1))
    homogen = np.pad(points.copy(), padding, "constant", constant_values=1)
    for i in range(3):
        points[Ellipsis, i] = np.sum(transform[i, :] * homogen, axis=-1)
    return points


def get_heightmap(points, colors, bounds, pixel_size):
    """Orthographic top-down projection of (H, W, 3) world points -> (heightmap (h, w) float,
    colormap (h, w, C)); the highest point per cell wins; heights measured from bounds z-min."""
    width = int(np.round((bounds[0, 1] - bounds[0, 0]) / pixel_size))
    height = int(np.round((bounds[1, 1] - bounds[1, 0]) / pixel_size))
    heightmap = np.zeros((height, width), dtype=np.float32)
    colormap = np.zeros((height, width, colors.shape[-1]), dtype=np.uint8)
    ix = (points[Ellipsis, 0] >= bounds[0, 0]) & (points[Ellipsis, 0] < bounds[0, 1])
    iy = (points[Ellipsis, 1] >= bounds[1, 0]) & (points[Ellipsis, 1] < bounds[1, 1])
    iz = (points[Ellipsis, 2] >= bounds[2, 0]) & (points[Ellipsis, 2] < bounds[2, 1])
    valid = ix & iy & iz
    points, colors = points[valid], colors[valid]
    order = np.argsort(points[:, -1])
    points, colors = points[order], colors[order]
    px = np.int32(np.floor((points[:, 0] - bounds[0, 0]) / pixel_size))
    py = np.int32(np.floor((points[:, 1] - bounds[1, 0]) / pixel_size))
    px, py = np.clip(px, 0, width - 1), np.clip(py, 0, height - 1)
    heightmap[py, px] = points[:, 2] - bounds[2, 0]
    for c in range(colors.shape[-1]):
        colormap[py, px, c] = colors[:, c]
    return heightmap, colormap


def reconstruct_heightmaps(color, depth, configs, bounds, pixel_size):
    """Fuse camera images into heightmaps: lists (one per camera) of (heightmap, colormap)."""
    heightmaps, colormaps = [], []
    for c, d, cfg in zip(color, depth, configs):
        intrinsics = np.array(cfg["intrinsics"]).reshape(3, 3)
        xyz = get_pointcloud(d, intrinsics)
        rot = np.float32(p.getMatrixFromQuaternion(cfg["rotation"])).reshape(3, 3)
        transform = np.eye(4)
        transform[:3, :] = np.hstack((rot, np.float32(cfg["position"]).reshape(3, 1)))
        xyz = transform_pointcloud(xyz, transform)
        heightmap, colormap = get_heightmap(xyz, c, bounds, pixel_size)
        heightmaps.append(heightmap)
        colormaps.append(colormap)
    return heightmaps, colormaps


# ---------------------------------------- task helpers (docs/task-api.md#utils-task-helpers)


def map_kit_scale(scale):
    """Kitting mesh scale from a size: every component divided by 10."""
    return [s / 10 for s in scale]


# Kitting shape names by id (docs/assets.md#kitting-shapes; equal to sim.assetgen.kitting.SHAPES, checked by a
# test, and kept literal here so task imports stay light: the asset module pulls in trimesh).
assembling_kit_shapes = dict(
    enumerate(
        [
            "letter R",
            "letter A",
            "triangle",
            "square",
            "plus",
            "letter T",
            "diamond",
            "pentagon",
            "rectangle",
            "flower",
            "star",
            "circle",
            "letter G",
            "letter V",
            "letter E",
            "letter L",
            "ring",
            "hexagon",
            "heart",
            "letter M",
        ]
    )
)
# Google Scanned Objects are not shipped (docs/assets.md#asset-catalogue); the lists exist so imports work.
google_seen_obj_shapes = {"train": [], "val": [], "test": []}
google_unseen_obj_shapes = {"train": [], "val": [], "test": []}
google_all_shapes = {"train": [], "val": [], "test": []}


def solve_hanoi_all(n_disks):
    """All moves [disk, from_rod, to_rod] of the recursive solution moving rod 0 to rod 2."""
    moves = []

    def solve(n, src, dst, via):
        if n == 0:
            return
        solve(n - 1, src, via, dst)
        moves.append([n - 1, src, dst])
        solve(n - 1, via, dst, src)

    solve(n_disks, 0, 2, 1)
    return moves


class TreeNode:
    """Node of the packing KD-tree: `bbox` = min xyz + max xyz (6 floats)."""

    def __init__(self, parent, children, bbox):
        self.parent = parent
        self.children = children
        self.bbox = bbox


def KDTree(node, min_object_dim, margin, bboxes):  # original name
    """Randomly split `node.bbox` along axes longer than 2 x min_object_dim, leaving `margin` gaps;
    leaf boxes are appended to `bboxes` (numpy RNG)."""
    size = node.bbox[3:] - node.bbox[:3]
    split = size > 2 * min_object_dim
    if np.sum(split) == 0:
        bboxes.append(node.bbox)
        return
    split = np.float32(split) / np.sum(split)
    split_axis = np.random.choice(range(len(split)), 1, p=split)[0]
    cut_ind = np.random.rand() * (size[split_axis] - 2 * min_object_dim) + node.bbox[split_axis] + min_object_dim
    child1_bbox = node.bbox.copy()
    child1_bbox[3 + split_axis] = cut_ind - margin / 2.0
    child2_bbox = node.bbox.copy()
    child2_bbox[split_axis] = cut_ind + margin / 2.0
    node.children = [TreeNode(node, [], bbox=child1_bbox), TreeNode(node, [], bbox=child2_bbox)]
    KDTree(node.children[0], min_object_dim, margin, bboxes)
    KDTree(node.children[1], min_object_dim, margin, bboxes)


def set_seed(seed, torch=False):
    """Seed Python `random` and numpy (torch is never imported here)."""
    random.seed(seed)
    np.random.seed(seed)
