"""Compatibility flags: switch our bug fixes back to the original GenSim behaviour
(docs/compat.md#compat-flags). Defaults are the fixed behaviour; `CompatFlags.original()` reproduces the
original where the fix changes outcomes of existing task files.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

# PyBullet's solverResidualThreshold: the solver stops its (at most 50) iterations once the squared
# sum of the last iteration's corrections falls below it. Bullet's default is 1e-7; at 1e-4 steps
# with resting or stacked objects are 1.3-2x cheaper, at the cost of slow creep of resting stacks
# (measured, with base-task success counts, in sim/README.md "Speed").
SOLVER_RESIDUAL = 1e-4
BULLET_SOLVER_RESIDUAL = 1e-7
SOLVER_ITERATIONS = 50  # PyBullet's default, set again at every reset (a rope scene lowers it)


@dataclass(frozen=True)
class CompatFlags:
    """Each flag True = behave like the original.

    swapped_cylinder: load `cylinder/cylinder-template_swapped.urdf` for `cylinder-template.urdf`
        (collision radius/length swapped, docs/compat.md#cylinder-swap).
    single_slide_push: `primitives.push` computes every intermediate waypoint as the final one
        (docs/compat.md#push-waypoints): one long slide instead of 1 cm increments.
    uint8_segmentation: `get_true_image` and camera segmentation cast body ids to uint8 (ids >= 256
        alias, background 255; docs/compat.md#uint8-segmentation).
    no_ik_retry: `movep` keeps the IK solution found from the current joints even when its tip
        misses the target by more than `robot.IK_MISS` (the original never checks).
    exact_solver: keep Bullet's default constraint-solver residual threshold (1e-7, which the
        original never changes) instead of SOLVER_RESIDUAL: every step runs all 50 solver
        iterations, 1.3-2x slower with resting or stacked objects.
    relative_movej: slow `movej` calls (the rope primitive's) command the current joints plus one
        `speed` step (the original) instead of a reference advancing `speed` per step from the
        start joints with an integral hold at the end: a load on the tool (a dragged rope) turns
        the wrist away from its target and the move times out.
    flat_rolling_friction: keep the assets' rolling friction (1e-4) on the floor, box-shaped links
        and fixed bodies instead of `sim.physics.drop_flat_rolling_friction`: a rolling-friction row in the
        solver for every contact point between flat faces, which resists nothing there.
    awake_resting: resting objects stay awake between actions instead of being put to sleep
        (`sim.physics.sleep_resting`): a resting pile costs ~10x more per simulation step while
        the arm moves in free space, palletizing's stack of boxes ~7x.
    full_rope_iterations: keep the solver's 50 iterations per step when the scene holds a rope
        (point-to-point constraints) instead of `sim.physics.FEWER_SOLVER_ITERATIONS` (20): the
        chain never meets the residual threshold, so every step ran all 50.
    full_pile_iterations: the same for a scene with a pile (at least `sim.physics.PILE_MIN_CUBES`
        `block/small.urdf` cubes): a pushed pile never meets the residual either.
    """

    swapped_cylinder: bool = False
    single_slide_push: bool = False
    uint8_segmentation: bool = False
    no_ik_retry: bool = False
    exact_solver: bool = False
    relative_movej: bool = False
    flat_rolling_friction: bool = False
    awake_resting: bool = False
    full_rope_iterations: bool = False
    full_pile_iterations: bool = False

    @classmethod
    def original(cls) -> CompatFlags:
        """All flags on: the original's behaviour."""
        return cls(**{f.name: True for f in fields(cls)})


_active = {"flags": CompatFlags()}


def active() -> CompatFlags:
    """Flags of the environment that was reset last (task helpers without an env read them)."""
    return _active["flags"]


def activate(flags: CompatFlags) -> None:
    """Make `flags` the active ones (called by `Environment.reset`)."""
    _active["flags"] = flags
