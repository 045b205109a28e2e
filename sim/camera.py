"""Camera configurations (docs/environment.md#cameras, module `cliport.tasks.cameras`) and rendering.

A config is a dict with image_size (H, W), intrinsics (row-major 3x3 tuple), position, rotation
(quaternion xyzw), zrange (near, far) and noise. `render(config)` returns (colour uint8 HxWx3, depth
float HxW metres, segmentation int32 HxW body ids, -1 for background).
"""

from __future__ import annotations

import contextlib

import numpy as np
import pybullet as p

_state = {"renderer": p.ER_TINY_RENDERER}


def use_hardware_renderer(enabled: bool) -> None:
    """Render through the EGL plugin (set by the environment when the plugin loaded)."""
    _state["renderer"] = p.ER_BULLET_HARDWARE_OPENGL if enabled else p.ER_TINY_RENDERER


def _config(image_size, f, c, position, euler, zrange):
    return {
        "image_size": image_size,
        "intrinsics": (f[0], 0, c[0], 0, f[1], c[1], 0, 0, 1),
        "position": position,
        "rotation": p.getQuaternionFromEuler(euler),
        "zrange": zrange,
        "noise": False,
    }


class RealSenseD415:
    """Default configuration with 3 RealSense RGB-D cameras (front, left, right)."""

    image_size = (480, 640)
    intrinsics = (450.0, 0, 320.0, 0, 450.0, 240.0, 0, 0, 1)
    front_position = (1.0, 0, 0.75)
    front_rotation = p.getQuaternionFromEuler((np.pi / 4, np.pi, -np.pi / 2))
    left_position = (0, 0.5, 0.75)
    left_rotation = p.getQuaternionFromEuler((np.pi / 4.5, np.pi, np.pi / 4))
    right_position = (0, -0.5, 0.75)
    right_rotation = p.getQuaternionFromEuler((np.pi / 4.5, np.pi, 3 * np.pi / 4))
    CONFIG = [
        _config(
            image_size, (450.0, 450.0), (320.0, 240.0), front_position, (np.pi / 4, np.pi, -np.pi / 2), (0.01, 10.0)
        ),
        _config(
            image_size, (450.0, 450.0), (320.0, 240.0), left_position, (np.pi / 4.5, np.pi, np.pi / 4), (0.01, 10.0)
        ),
        _config(
            image_size,
            (450.0, 450.0),
            (320.0, 240.0),
            right_position,
            (np.pi / 4.5, np.pi, 3 * np.pi / 4),
            (0.01, 10.0),
        ),
    ]


class Oracle:
    """Top-down noiseless near-orthographic camera (focal 63e4 px at 1000 m)."""

    image_size = (480, 640)
    intrinsics = (63e4, 0, 320.0, 0, 63e4, 240.0, 0, 0, 1)
    position = (0.5, 0, 1000.0)
    rotation = p.getQuaternionFromEuler((0, np.pi, -np.pi / 2))
    CONFIG = [_config(image_size, (63e4, 63e4), (320.0, 240.0), position, (0, np.pi, -np.pi / 2), (999.7, 1001.0))]


class RS200Gazebo:
    """Gazebo camera (unused by tasks; kept for import compatibility)."""

    image_size = (480, 640)
    CONFIG = [
        _config(
            image_size,
            (554.3826904296875, 554.3826904296875),
            (320.0, 240.0),
            (0.5, 0, 1.0),
            (0, np.pi, np.pi / 2),
            (0.01, 10.0),
        )
    ]


class KinectFranka:
    """Kinect camera (unused by tasks; kept for import compatibility)."""

    image_size = (424, 512)
    CONFIG = [
        _config(
            image_size,
            (365.57489013671875, 365.57489013671875),
            (257.5205078125, 205.26710510253906),
            (1.082, -0.041, 1.027),
            (-2.611, 0.010, 1.553),
            (0.01, 10.0),
        )
    ]


# Video camera: an oblique front-right view of the whole workspace and the arm.
VIDEO = {"position": (1.15, 0.45, 0.72), "target": (0.47, 0.0, 0.08), "fov": 45.0}


def render(config, image_size=None, shadow=1, rng=None):
    """Render `config` -> (colour uint8 HxWx3, depth float32 HxW metres, segmentation int32 HxW).

    Follows the original `render_camera` (docs/environment.md#rendering): the camera looks along its local +z
    with local -y up; vertical FOV = 2 atan((H/2)/f). Segmentation holds full body ids (-1 = background); the
    original's uint8 cast is applied by the environment when its compat flag asks for it.
    """
    if image_size is None:
        image_size = config["image_size"]
    lookdir = np.float32([0, 0, 1]).reshape(3, 1)
    updir = np.float32([0, -1, 0]).reshape(3, 1)
    rotm = np.float32(p.getMatrixFromQuaternion(config["rotation"])).reshape(3, 3)
    lookat = np.asarray(config["position"]) + (rotm @ lookdir).reshape(-1)
    updir = (rotm @ updir).reshape(-1)
    view = p.computeViewMatrix(config["position"], lookat, updir)
    focal = config["intrinsics"][0]
    znear, zfar = config["zrange"]
    fovh = (image_size[0] / 2) / focal
    fovh = 180 * np.arctan(fovh) * 2 / np.pi
    aspect = image_size[1] / image_size[0]
    proj = p.computeProjectionMatrixFOV(fovh, aspect, znear, zfar)
    _, _, color, depth, segm = p.getCameraImage(
        width=image_size[1],
        height=image_size[0],
        viewMatrix=view,
        projectionMatrix=proj,
        shadow=shadow,
        flags=p.ER_SEGMENTATION_MASK_OBJECT_AND_LINKINDEX,
        renderer=_state["renderer"],
    )
    color = np.array(color, dtype=np.uint8).reshape(image_size[0], image_size[1], 4)[..., :3]
    if config["noise"]:
        rng = rng or np.random
        color = np.uint8(np.clip(np.int32(color) + rng.normal(0, 3, color.shape), 0, 255))
    zbuffer = np.array(depth, dtype=np.float32).reshape(image_size)
    depth = zfar + znear - (2.0 * zbuffer - 1.0) * (zfar - znear)
    depth = (2.0 * znear * zfar) / depth
    if config["noise"]:
        depth += (rng or np.random).normal(0, 0.003, depth.shape)
    segm = np.array(segm, dtype=np.int64).reshape(image_size)
    body = np.where(segm >= 0, segm & ((1 << 24) - 1), -1).astype(np.int32)
    return color, depth, body


def _look_at(size, view, shadow):
    """(RGBA uint8 HxWx4, z-buffer float32 HxW) of a look-at view; `size` is (width, height)."""
    width, height = size
    vm = p.computeViewMatrix(view["position"], view["target"], (0, 0, 1))
    pm = p.computeProjectionMatrixFOV(view["fov"], width / height, 0.05, 5.0)
    _, _, color, zbuffer, _ = p.getCameraImage(
        width,
        height,
        vm,
        pm,
        shadow=shadow,
        lightDirection=(0.4, -0.3, 1.0),
        lightAmbientCoeff=0.55,
        lightDiffuseCoeff=0.5,
        lightSpecularCoeff=0.05,
        flags=p.ER_NO_SEGMENTATION_MASK,
        renderer=_state["renderer"],
    )
    rgba = np.ascontiguousarray(color, dtype=np.uint8).reshape(height, width, 4)
    return rgba, np.asarray(zbuffer, dtype=np.float32).reshape(height, width)


def render_view(size=(320, 240), view=VIDEO, shadow=0):
    """Colour frame (H, W, 3) uint8 of a look-at view; `size` is (width, height) in pixels."""
    return _look_at(size, view, shadow)[0][..., :3]


class StaticBackgroundView:
    """Video frames of a fixed look-at view with the bodies that do not move drawn once.

    TinyRenderer's cost grows with the pixels each body covers: the workspace slab alone is ~60% of
    a 320x240 frame. The static bodies are rendered once into a colour + z-buffer background; each
    frame hides them (alpha 0, which the renderers skip), renders the rest and keeps per pixel
    whichever surface is nearer. With shadow=0 no body shades another, so the result equals a full
    render (tests compare them). The background is redrawn when a static body's pose or colour
    changes.
    """

    def __init__(self, size=(320, 240), view=VIDEO):
        self.size, self.view = tuple(size), view
        self._key = None
        self._background = None

    def render(self, static_bodies) -> np.ndarray:
        """Colour frame (H, W, 3) uint8; `static_bodies` are ids that physics cannot move (fixed
        base, no moving joints)."""
        static = {}
        for body in dict.fromkeys(static_bodies):
            try:
                static[body] = (p.getBasePositionAndOrientation(body), visuals(body))
            except p.error:  # removed by task code
                continue
        key = (self.size, tuple(static.items()))
        if key != self._key:
            everything = [p.getBodyUniqueId(i) for i in range(p.getNumBodies())]
            with hidden({b: visuals(b) for b in everything if b not in static}):
                self._background = _look_at(self.size, self.view, 0)
            self._key = key
        with hidden({b: shapes for b, (_, shapes) in static.items()}):
            color, zbuffer = _look_at(self.size, self.view, 0)
        bg_color, bg_z = self._background
        # One 32-bit select per pixel (RGBA viewed as uint32) is ~3x faster than per channel.
        h, w = zbuffer.shape
        near = zbuffer < bg_z
        rgba = np.where(near, color.view(np.uint32)[..., 0], bg_color.view(np.uint32)[..., 0])
        return rgba.view(np.uint8).reshape(h, w, 4)[..., :3]


# PyBullet draws a colour set with changeVisualShape(shapeIndex=k) on shape k only, but reports it
# (getVisualShapeData) for every shape of that link. After `hidden` restores a link of several
# shapes, its report is the last restored colour n times: (body, link) -> (that report, the
# colours really restored), so `visuals` can answer with the latter until the report changes
# (task code recoloured the link). Cleared by `forget_restored` when the world is rebuilt.
_restored: dict = {}


def forget_restored() -> None:
    """Drop what `hidden` restored (body ids are reused after resetSimulation)."""
    _restored.clear()


def visuals(body, data=None):
    """((link, shape index within the link, rgba), ...) of every visual shape of `body`: the colours
    drawn, also for a link of several shapes that `hidden` restored (see `_restored`). `data`: the
    body's `getVisualShapeData` rows when the caller has them already."""
    seen = {}
    out = []
    for v in p.getVisualShapeData(body) if data is None else data:
        index = seen[v[1]] = seen.get(v[1], -1) + 1
        out.append((v[1], index, tuple(v[7])))
    for link, count in seen.items():
        entry = _restored.get((body, link)) if count else None
        if entry is not None:
            reported = tuple(rgba for lk, _, rgba in out if lk == link)
            if reported == entry[0]:
                colours = iter(entry[1])
                out = [(lk, i, next(colours) if lk == link else rgba) for lk, i, rgba in out]
    return tuple(out)


@contextlib.contextmanager
def hidden(bodies):
    """Make the visual shapes of `bodies` ({id: visuals(id)}) transparent for the block."""
    for body, shapes in bodies.items():
        for link, index, rgba in shapes:
            if rgba[3] > 0:
                p.changeVisualShape(body, link, shapeIndex=index, rgbaColor=rgba[:3] + (0.0,))
    try:
        yield
    finally:
        for body, shapes in bodies.items():
            last = {}
            for link, index, rgba in shapes:
                if rgba[3] > 0:
                    p.changeVisualShape(body, link, shapeIndex=index, rgbaColor=rgba)
                    last[link] = rgba
            for link, rgba in last.items():
                colours = tuple(c for lk, _, c in shapes if lk == link)
                if len(colours) > 1:
                    _restored[(body, link)] = ((rgba,) * len(colours), colours)
