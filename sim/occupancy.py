"""Top-down occupancy raster: the oracle's heightmap and object-id mask at heightmap resolution.

The original renders a 640x480 near-orthographic view and back-projects it into a 320x160 heightmap
(docs/task-api.md#true-image). We render the same view directly at one pixel per heightmap cell (0.003125 m),
which gives the same semantics (top surface per cell, points outside the z-bounds dropped, robot occludes)
at a fraction of the cost. Row u <-> y = bounds[1,0] + u*pix, column v <-> x = bounds[0,0] + v*pix.
"""

from __future__ import annotations

import numpy as np
import pybullet as p

from sim import camera

CAMERA_HEIGHT = 1000.0  # metres; same distance as the original oracle camera (near-orthographic)


def render_topdown(bounds, pix_size, supersample=1, below_table=()):
    """Render the workspace from above -> (colormap uint8 (H, W, 3), heightmap float32 (H, W) metres
    above bounds z-min, id mask int32 (H, W); 0 where nothing within the z-bounds is seen).

    H = (y extent)/pix_size rows, W = (x extent)/pix_size columns (320 x 160 for the defaults).
    `supersample` s renders s x s samples per cell and keeps the highest one, like the original's
    back-projection of ~1.6 mm camera pixels into 3.125 mm cells (a cell partly covered by an
    object gets its id); s = 2 costs 4x the render time of s = 1 (one sample at the cell centre).
    `below_table` are bodies lying wholly below z = 0 (the workspace slab): when the bounds start at
    z >= 0 they cannot give a valid cell, so they are hidden; the slab covers every pixel, and
    hiding it makes the render ~3x cheaper with identical outputs.
    """
    bounds = np.asarray(bounds, dtype=float)
    cells_w = int(round((bounds[0, 1] - bounds[0, 0]) / pix_size))
    cells_h = int(round((bounds[1, 1] - bounds[1, 0]) / pix_size))
    width, height = cells_w * supersample, cells_h * supersample
    cx, cy = bounds[0].mean(), bounds[1].mean()
    near, far = CAMERA_HEIGHT - bounds[2, 1] - 0.05, CAMERA_HEIGHT - bounds[2, 0] + 0.05
    k = near / CAMERA_HEIGHT  # frustum extents at the near plane
    hx, hy = (bounds[0, 1] - bounds[0, 0]) / 2, (bounds[1, 1] - bounds[1, 0]) / 2
    view = p.computeViewMatrix((cx, cy, CAMERA_HEIGHT), (cx, cy, 0.0), (0, 1, 0))
    proj = p.computeProjectionMatrix(-hx * k, hx * k, -hy * k, hy * k, near, far)
    hidden = below_table if bounds[2, 0] >= 0 else ()
    with camera.hidden({b: camera.visuals(b) for b in hidden}):
        _, _, color, zbuf, segm = p.getCameraImage(
            width, height, view, proj, shadow=0, renderer=camera._state["renderer"]
        )
    # Image row 0 is +y (top): flip so that row u grows with y like the original heightmap.
    color = np.array(color, dtype=np.uint8).reshape(height, width, 4)[::-1, :, :3]
    zbuf = np.array(zbuf, dtype=np.float64).reshape(height, width)[::-1]
    segm = np.array(segm, dtype=np.int64).reshape(height, width)[::-1]
    depth = far * near / (far - (far - near) * zbuf)
    heightmap = CAMERA_HEIGHT - depth - bounds[2, 0]
    valid = (heightmap >= 0) & (heightmap < bounds[2, 1] - bounds[2, 0]) & (segm >= 0)
    heightmap = np.where(valid, heightmap, -1.0)
    mask = np.where(valid, segm & ((1 << 24) - 1), 0)
    if supersample > 1:  # keep the highest valid sample of each s x s block
        s = supersample
        blocks = heightmap.reshape(cells_h, s, cells_w, s).transpose(0, 2, 1, 3).reshape(cells_h, cells_w, -1)
        best = np.argmax(blocks, axis=-1)[..., None]

        def pick(a):
            a = a.reshape(cells_h, s, cells_w, s, *a.shape[2:]).swapaxes(1, 2)
            a = a.reshape(cells_h, cells_w, s * s, *a.shape[4:])
            idx = best if a.ndim == 3 else best[..., None]
            return np.take_along_axis(a, idx, axis=2)[:, :, 0]

        heightmap, mask, color = pick(heightmap), pick(mask), pick(color)
    valid = heightmap >= 0
    heightmap = np.where(valid, heightmap, 0.0).astype(np.float32)
    mask = np.where(valid, mask, 0).astype(np.int32)
    color = np.where(valid[..., None], color, 0).astype(np.uint8)
    return color, heightmap, mask


def erode(mask: np.ndarray, size: int) -> np.ndarray:
    """Binary erosion of a boolean (H, W) mask with a size x size square kernel, anchored at
    size // 2 like cv2.erode; pixels outside the image count as True (cv2's default border), so
    callers mark the border occupied themselves. size <= 1 returns a copy."""
    if size <= 1:
        return mask.copy()
    # Separable min-filter via a summed-area table: a pixel survives if its window is all True.
    lo = size // 2
    hi = size - 1 - lo
    out = mask.astype(np.int32)
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (lo, hi)
        padded = np.pad(out, pad, constant_values=1)
        csum = np.cumsum(padded, axis=axis)
        csum = np.concatenate([np.zeros_like(np.take(csum, [0], axis=axis)), csum], axis=axis)
        n = mask.shape[axis]
        window = np.take(csum, np.arange(size, size + n), axis=axis) - np.take(csum, np.arange(0, n), axis=axis)
        out = (window == size).astype(np.int32)
    return out.astype(bool)
