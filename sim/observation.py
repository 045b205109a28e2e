"""The agent's top-down observation: CLIPort's colour and height maps over the workspace bounds.

`topdown(env)` renders the three task cameras (`env.agent_cams`, the RealSense D415 configs of
docs/environment.md#cameras) and fuses their back-projected point clouds into one orthographic pair, as
CLIPort's `get_fused_heightmap` (docs/task-api.md#true-image, docs/task-api.md#utils-geometry): per cell the
highest point of each camera, colour averaged over the cameras that saw the cell, height the maximum over
cameras. Row u <-> y = bounds[1,0] + u*pix, column v <-> x = bounds[0,0] + v*pix, so the maps are (320, 160)
for the standard bounds (1.0 m of y by 0.5 m of x at 0.003125 m per pixel). `source="orthographic"` renders
the same grid directly from above (the oracle's view, sim.occupancy; ~100x cheaper, no occlusion holes).
"""

from __future__ import annotations

import numpy as np

from sim import camera, occupancy, utils

SOURCES = ("cameras", "orthographic")


def fuse(colormaps, heightmaps) -> tuple[np.ndarray, np.ndarray]:
    """CLIPort's fusion of per-camera maps: colour = mean over the cameras whose colour is not
    black at that cell (uint8, rounded), height = max over cameras (float32 metres above z-min).
    colormaps: list of (H, W, 3) uint8; heightmaps: list of (H, W) float."""
    colormaps = np.float32(colormaps)
    valid = np.sum(colormaps, axis=3) > 0
    repeat = np.sum(valid, axis=0)
    repeat[repeat == 0] = 1
    colour = np.uint8(np.round(np.sum(colormaps, axis=0) / repeat[..., None]))
    return colour, np.max(np.float32(heightmaps), axis=0)


def topdown(env, source: str = "cameras") -> tuple[np.ndarray, np.ndarray]:
    """-> (colour uint8 (H, W, 3), height float32 (H, W) metres above bounds z-min) of the current
    scene over `env.bounds` at `env.pix_size`; (320, 160) for the standard workspace.

    source "cameras": the three task cameras at their native 480x640, noiseless as configured,
    fused (~0.6 s on one CPU core with TinyRenderer); "orthographic": one direct top-down render.
    Raises ValueError for another source.
    """
    if source == "orthographic":
        colour, height, _ = occupancy.render_topdown(
            env.bounds, env.pix_size, below_table=getattr(env, "table_bodies", ())
        )
        return colour, height
    if source != "cameras":
        raise ValueError(f"unknown observation source {source!r}; expected one of {SOURCES}")
    colours, depths = [], []
    for cfg in env.agent_cams:
        colour, depth, _ = camera.render(cfg)
        colours.append(colour)
        depths.append(depth)
    heightmaps, colormaps = utils.reconstruct_heightmaps(colours, depths, env.agent_cams, env.bounds, env.pix_size)
    return fuse(colormaps, heightmaps)
