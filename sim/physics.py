"""Three cuts in the constraint solver's work; the base tasks succeed about as often as without
them (counts over seeds in sim/README.md "Speed target"; each has a `CompatFlags` switch back to the
original).

- Rolling friction between flat faces: every asset declares rolling friction 1e-4, and Bullet
  combines it per contact as r_a * f_b + r_b * f_a (btManifoldResult::calculateCombinedRollingFriction),
  adding rolling-friction rows to the solver for every contact point. On a box lying on a face it
  resists nothing (a box does not roll; the torque bound is ~1e-4 m x its weight) but nearly
  doubles the solver's rows: a pile of 50 pushed 1 cm cubes took 2.2 instead of 1.2 ms per step.
- Fewer solver iterations with a rope or a pile: a chain of beads joined by point-to-point
  constraints, and a pile of 50 cubes pushed by the spatula, never reach the solver's residual
  threshold, so every step ran all 50 iterations; 20 give the rope tasks the same success at ~1.7x
  less CPU, the pile tasks at ~1.5x.
- Resting objects sleep between actions: 50 awake pile cubes cost ~1.5 ms per step while the arm
  travels in free space, asleep ~0.15 ms; palletizing's stack of boxes ~0.5 against ~0.07 ms.
  Bullet wakes a sleeping body when an awake one touches it; `wake_moved` wakes one that task code
  moved, set moving or tied.
"""

from __future__ import annotations

import math

import numpy as np
import pybullet as p

# getDynamicsInfo fields
_MASS, _FRICTION, _ROLLING = 0, 1, 6


def drop_flat_rolling_friction(plane: int) -> None:
    """Set rolling friction 0 on the floor `plane`, on every link whose collision shapes are all
    boxes and on every link of a fixed body (mass 0: it never rolls, and the round bodies on it
    keep the floor's share below); add the floor's share to every other link (r += f x r_floor /
    f_floor), so that a ball or cylinder on the floor keeps exactly the combined rolling friction
    it had.

    Applies to the bodies that exist when called (the environment calls it after the task's
    reset); a body created later keeps its own values and loses the floor's share.
    """
    floor = p.getDynamicsInfo(plane, -1)
    if floor[_ROLLING] == 0 or floor[_FRICTION] == 0:
        return
    share = floor[_ROLLING] / floor[_FRICTION]
    p.changeDynamics(plane, -1, rollingFriction=0)
    for body in (p.getBodyUniqueId(i) for i in range(p.getNumBodies())):
        if body == plane:
            continue
        fixed = p.getDynamicsInfo(body, -1)[_MASS] == 0
        for link in range(-1, p.getNumJoints(body)):
            shapes = p.getCollisionShapeData(body, link)
            if not shapes:
                continue
            if fixed or all(shape[2] == p.GEOM_BOX for shape in shapes):
                rolling = 0.0
            else:
                info = p.getDynamicsInfo(body, link)
                rolling = info[_ROLLING] + info[_FRICTION] * share
            p.changeDynamics(body, link, rollingFriction=rolling)


FEWER_SOLVER_ITERATIONS = 20  # rope and pile scenes; PyBullet's default (and the original's) is 50
PILE_MIN_CUBES = 10  # this many pile cubes make a pile scene (make_piles spawns 50)


def holds_rope() -> bool:
    """Whether the world holds a point-to-point constraint (a rope or chain made by the task's
    reset)."""
    return any(
        p.getConstraintInfo(p.getConstraintUniqueId(i))[4] == p.JOINT_POINT2POINT for i in range(p.getNumConstraints())
    )


def free_bodies(bodies) -> list[int]:
    """The bodies of `bodies` that `sleep_resting` may put to sleep: single-link bodies (no
    joints, whose motion is the base velocity alone) not tied by any constraint (rope beads, a
    held object, anything task code joined). Bodies removed by task code are skipped."""
    tied = set()
    for i in range(p.getNumConstraints()):
        info = p.getConstraintInfo(p.getConstraintUniqueId(i))
        tied.update((info[0], info[2]))  # parent and child body
    free = []
    for body in bodies:
        try:
            if body not in tied and p.getNumJoints(body) == 0:
                free.append(body)
        except p.error:  # removed by task code
            continue
    return free


# Sleep threshold of a body in the step after `sleep_resting` (Bullet compares |v|^2 + |w|^2 with
# it): one step from rest gives a pile cube up to ~0.02 (it tips on a neighbour's edge), a box up
# to ~3e-4, and one cube above the threshold wakes its whole pile.
WAKE_GUARD = 1.0


def sleep_resting(bodies, speed: float, spin: float = 0.5) -> dict[int, tuple]:
    """Put every body of `bodies` that rests on something, moves slower than `speed` m/s and
    turns slower than `spin` rad/s to sleep, allowing Bullet to keep it asleep until an awake body
    touches it. Call `settle_thresholds` after the next simulation step.

    Resting means a contact point that carried a normal force in the last simulation step, after
    a fresh collision detection: a body that task code teleported since (no force on its new
    contacts yet) and a cube at the top of a bounce (no contact) stay awake. Bullet sleeps a whole
    island of touching bodies or none, so one awake cube keeps a pile awake: `spin` is generous
    (a pushed pile's cubes still wobble at up to ~0.5 rad/s when the pile has stopped moving).
    The body's velocity is zeroed (it stops where it is). Bullet takes one more step to put it to
    sleep and wakes it if that step's motion is above its threshold, so the threshold is
    WAKE_GUARD until then. Returns {body: (position, quaternion)} of the bodies put to sleep (see
    `wake_moved`).
    """
    if not bodies:
        return {}  # an extra collision detection shifts contact points: a rope episode's course
    p.performCollisionDetection()
    state = p.ACTIVATION_STATE_ENABLE_SLEEPING | p.ACTIVATION_STATE_SLEEP
    slept = {}
    for body in bodies:
        try:
            linear, angular = p.getBaseVelocity(body)
            if np.linalg.norm(linear) >= speed or np.linalg.norm(angular) >= spin:
                continue
            if any(point[9] > 0 for point in p.getContactPoints(bodyA=body)):
                p.resetBaseVelocity(body, (0, 0, 0), (0, 0, 0))
                p.changeDynamics(body, -1, activationState=state, sleepThreshold=WAKE_GUARD)
                slept[body] = p.getBasePositionAndOrientation(body)
        except p.error:  # removed by task code
            continue
    return slept


def settle_thresholds(bodies, speed: float) -> None:
    """Give the bodies `sleep_resting` put to sleep, one simulation step later (asleep now, their
    velocities cleared), the sleep threshold `speed`**2 for Bullet's own timer: once woken, a body
    falls asleep by itself only after 2 s slower than `speed` (Bullet's default threshold 0.01
    stopped a box sliding at 3 cm/s)."""
    for body in bodies:
        try:
            p.changeDynamics(body, -1, sleepThreshold=speed**2)
        except p.error:  # removed by task code
            continue


# Bullet puts a body to sleep one step after it is asked to, so a resting body moves up to
# speed / hz (~10 um at 5 mm/s and 480 Hz) after `sleep_resting` recorded its pose.
MOVED_BY = 1e-4  # m
TURNED_BY = 1e-3  # rad


def wake_moved(slept: dict[int, tuple]) -> dict[int, tuple]:
    """Wake every body of `slept` (from `sleep_resting`) that task code touched since: more than
    MOVED_BY metres or TURNED_BY radians from the pose it fell asleep at, given a velocity, or
    tied by a constraint. Bullet would keep it asleep, hanging where it was put, ignoring its
    velocity and the constraint. Returns {body: (linear, angular velocity)} of the bodies woken:
    Bullet clears them in their first step awake (`restore_velocities` sets them again)."""
    free = set(free_bodies(slept))
    woken = {}
    for body, (position, rotation) in slept.items():
        try:
            now_position, now_rotation = p.getBasePositionAndOrientation(body)
            velocity = p.getBaseVelocity(body)
        except p.error:  # removed by task code
            continue
        turned = 2 * math.acos(min(1.0, abs(float(np.dot(now_rotation, rotation)))))
        far = np.linalg.norm(np.subtract(now_position, position)) > MOVED_BY or turned > TURNED_BY
        if far or any(velocity[0]) or any(velocity[1]) or body not in free:
            p.changeDynamics(body, -1, activationState=p.ACTIVATION_STATE_WAKE_UP)
            woken[body] = velocity
    return woken


def restore_velocities(woken: dict[int, tuple]) -> None:
    """After the first simulation step of the bodies `wake_moved` woke, give back the velocities
    task code had set on them."""
    for body, (linear, angular) in woken.items():
        if any(linear) or any(angular):
            try:
                p.resetBaseVelocity(body, linear, angular)
            except p.error:  # removed by task code
                continue
