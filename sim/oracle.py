"""The scripted oracle (docs/oracle.md#oracle-act): picks the goal object furthest from its nearest allowed
target and places it so that its base frame lands on that target, preserving the grasp offset."""

from __future__ import annotations

import collections

import numpy as np
import pybullet as p

from sim import fallbacks, occupancy, utils

OracleAgent = collections.namedtuple("OracleAgent", ["act"])


def as_pose(pose):
    """A pose, or a bare 3-vector position turned into (position, identity quaternion)."""
    if len(pose) == 3 and all(np.isscalar(v) or np.ndim(v) == 0 for v in pose):
        return (pose, (0.0, 0.0, 0.0, 1.0))
    return pose


def _normalise_targets(targs):
    """Bare positions -> (position, identity); in place for lists (as the original). The original
    only recognised float / float32 coordinates (docs/compat.md#bare-position-targets); any numeric 3-vector
    works here."""
    out = [as_pose(t) for t in targs]
    if isinstance(targs, list):
        targs[:] = out
    return out


def place_pose_for(pick_pose, obj_pose, targ_pose, sixdof=False, rotations=True):
    """Place pose bringing the object's frame onto `targ_pose` given the grasp at `pick_pose`:
    place = target * inverse(inverse(pick) * object). Orientation flattened to yaw unless `sixdof`;
    identity place orientation when `rotations` is False."""
    if not sixdof:
        yaw = utils.quatXYZW_to_eulerXYZ(obj_pose[1])[2]
        obj_pose = (obj_pose[0], utils.eulerXYZ_to_quatXYZW((0, 0, yaw)))
    obj_to_pick = utils.multiply(utils.invert(pick_pose), obj_pose)
    place_pose = utils.multiply(targ_pose, utils.invert(obj_to_pick))
    if not rotations:
        place_pose = (place_pose[0], (0, 0, 0, 1))
    return (np.asarray(place_pose[0]), np.asarray(place_pose[1]))


def pick_cells(task, obj_id, coarse_mask, below_table=()):
    """Where the suction may pick `obj_id`: the object's top-down id mask, eroded by 3x3 cells, in
    the oracle view's semantics (2x2 samples per cell, highest wins; docs/task-api.md#true-image,
    docs/oracle.md#oracle-act step 5).

    Only the object's neighbourhood is rendered at that resolution (found from the one-sample-per-cell
    `coarse_mask`, or the object's AABB when it is not seen there), which costs a few milliseconds
    instead of a full supersampled view. -> ((rows, cols) int arrays in heightmap cells, heights
    float array, metres above the bounds' z-min), or None when no cell survives the erosion."""
    bounds, pix = np.asarray(task.bounds, dtype=float), task.pix_size
    n_rows, n_cols = coarse_mask.shape
    rows, cols = np.nonzero(coarse_mask == obj_id)
    if len(rows):
        r0, r1, c0, c1 = rows.min(), rows.max(), cols.min(), cols.max()
    else:
        lo, hi = p.getAABB(obj_id)
        c0, c1 = int((lo[0] - bounds[0, 0]) // pix), int((hi[0] - bounds[0, 0]) // pix)
        r0, r1 = int((lo[1] - bounds[1, 0]) // pix), int((hi[1] - bounds[1, 0]) // pix)
    r0, c0 = max(r0 - 2, 0), max(c0 - 2, 0)
    r1, c1 = min(r1 + 2, n_rows - 1), min(c1 + 2, n_cols - 1)
    if r1 < r0 or c1 < c0:
        return None
    sub = np.array(
        [
            [bounds[0, 0] + c0 * pix, bounds[0, 0] + (c1 + 1) * pix],
            [bounds[1, 0] + r0 * pix, bounds[1, 0] + (r1 + 1) * pix],
            bounds[2],
        ]
    )
    _, sub_h, sub_m = occupancy.render_topdown(sub, pix, supersample=2, below_table=below_table)
    keep = occupancy.erode(sub_m == obj_id, 3)
    if not keep.any():
        return None
    su, sv = np.nonzero(keep)
    return (su + r0, sv + c0), sub_h[su, sv]


def make_oracle(task, env):
    """-> OracleAgent whose `act(obs, info)` returns {'pose0': pick, 'pose1': place} or None when no
    goal object is visible (then the task's goals are cleared, ending the episode unsuccessfully)."""

    def act(obs, info):
        below_table = getattr(env, "table_bodies", ())
        _, _, obj_mask = occupancy.render_topdown(task.bounds, task.pix_size, below_table=below_table)
        objs, matches, targs, replace, rotations, _, _, _ = task.goals[0]
        targs = _normalise_targets(targs)
        if not replace:
            matches = matches.copy()
            for i in range(len(objs)):
                if isinstance(objs[i], (int, np.integer)):
                    objs[i] = (objs[i], (False, None))
                object_id, (symmetry, _) = objs[i]
                pose = p.getBasePositionAndOrientation(object_id)
                for j in np.argwhere(matches[i, :]).reshape(-1):
                    if task.is_match(pose, targs[j], symmetry):
                        matches[i, :] = 0
                        matches[:, j] = 0
        nn_dists, nn_targets = [], []
        for i in range(len(objs)):
            xyz, _ = p.getBasePositionAndOrientation(objs[i][0])
            targets_i = np.argwhere(matches[i, :]).reshape(-1)
            if len(targets_i) > 0:
                targets_xyz = np.float32([targs[j][0] for j in targets_i])
                dists = np.linalg.norm(targets_xyz - np.float32(xyz).reshape(1, 3), axis=1)
                nn = np.argmin(dists)
                nn_dists.append(dists[nn])
                nn_targets.append(targets_i[nn])
            else:
                nn_dists.append(0)
                nn_targets.append(-1)
        order = [i for i in np.argsort(nn_dists)[::-1] if nn_dists[i] > 0]
        pick = None
        for pick_i in order:
            pick = pick_cells(task, objs[pick_i][0], obj_mask, below_table)
            if pick is not None:
                break
        if pick is None:
            task.goals = []
            task.lang_goals = []
            fallbacks.warn("oracle: object for pick is not visible; demonstration skipped")
            return None
        (rows, cols), heights = pick
        k = np.random.randint(len(rows))  # uniform over the eroded mask, as sample_distribution
        bounds = np.asarray(task.bounds, dtype=float)
        pick_pos = (
            bounds[0, 0] + cols[k] * task.pix_size,
            bounds[1, 0] + rows[k] * task.pix_size,
            bounds[2, 0] + heights[k],
        )
        pick_pose = (np.asarray(pick_pos), np.asarray((0, 0, 0, 1)))
        obj_pose = p.getBasePositionAndOrientation(objs[pick_i][0])
        place_pose = place_pose_for(pick_pose, obj_pose, targs[nn_targets[pick_i]], task.sixdof, rotations)
        return {"pose0": pick_pose, "pose1": place_pose}

    return OracleAgent(act)
