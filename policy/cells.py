"""Workspace positions <-> map cells and yaw <-> rotation bins at the policy's working resolution.

Cell (row u, column v) at scale s covers the full-resolution cells s*u .. s*u+s-1 (rows) and
s*v .. s*v+s-1 (columns); its centre is x = x0 + (s*v + (s-1)/2) * pix, y = y0 + (s*u + (s-1)/2)
* pix, which for s = 1 is CLIPort's `pix_to_xyz` (x = x0 + v*pix).
"""

from __future__ import annotations

import math

import numpy as np

from policy.config import BOUNDS, PIX_SIZE, PolicyConfig


def cells_of(positions: np.ndarray, config: PolicyConfig) -> np.ndarray:
    """(N, 3) or (N, 2) positions in metres -> (N, 2) int64 (row, column), clipped to the map."""
    s = config.scale
    offset = (s - 1) / 2 * PIX_SIZE
    positions = np.asarray(positions, dtype=np.float64)
    rows = np.round((positions[:, 1] - BOUNDS[1][0] - offset) / config.cell)
    cols = np.round((positions[:, 0] - BOUNDS[0][0] - offset) / config.cell)
    h, w = config.shape
    return np.stack([np.clip(rows, 0, h - 1), np.clip(cols, 0, w - 1)], 1).astype(np.int64)


def position_of(cell, height_map: np.ndarray, config: PolicyConfig) -> tuple[float, float, float]:
    """(row, column) at the working resolution + its (H, W) height map in metres -> (x, y, z)
    metres, z = bounds z-min + the cell's height."""
    u, v = int(cell[0]), int(cell[1])
    s = config.scale
    x = BOUNDS[0][0] + (s * v + (s - 1) / 2) * PIX_SIZE
    y = BOUNDS[1][0] + (s * u + (s - 1) / 2) * PIX_SIZE
    return float(x), float(y), float(BOUNDS[2][0] + height_map[u, v])


def rotation_bins(yaws: np.ndarray, n_rotations: int) -> np.ndarray:
    """Yaw angles (radians) -> nearest of `n_rotations` bins over a full turn (int64)."""
    step = 2 * math.pi / n_rotations
    return np.int64(np.round(np.asarray(yaws) / step)) % n_rotations


def yaw_quaternion(rotation_bin: int, n_rotations: int) -> tuple[float, float, float, float]:
    """Quaternion xyzw of the yaw 2*pi*bin/R about z."""
    yaw = 2 * math.pi * rotation_bin / n_rotations
    return (0.0, 0.0, math.sin(yaw / 2), math.cos(yaw / 2))
