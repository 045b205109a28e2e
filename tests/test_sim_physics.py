"""sim.physics: rolling friction dropped between flat faces (kept where something can roll), resting
objects asleep between actions and fewer solver iterations for ropes and piles, each with its
CompatFlags switch (sim/README.md "Speed")."""

import numpy as np
import pybullet as p
import pytest

from sim import config, physics
from sim.env import Environment
from sim.task import Task

BALL, BOX, CUBE, STAND = "ball/ball.urdf", "stacking/block.urdf", "block/small.urdf", "hanoi/stand.urdf"


class OneStep(Task):
    def __init__(self):
        super().__init__()
        self.max_steps = 1
        self.lang_template = ""


class Scene(OneStep):
    """A ball, a 4 cm block, a fixed Hanoi stand (box base, cylinder pegs) and three pile cubes on
    the floor."""

    def reset(self, env):
        super().reset(env)
        self.ball = env.add_object(BALL, ((0.4, 0.3, 0.03), (0, 0, 0, 1)))
        self.box = env.add_object(BOX, ((0.5, -0.3, 0.02), (0, 0, 0, 1)))
        self.stand = env.add_object(STAND, ((0.35, -0.2, 0.005), (0, 0, 0, 1)), "fixed")
        self.cubes = [env.add_object(CUBE, ((0.6, y, 0.006), (0, 0, 0, 1))) for y in (-0.1, 0.0, 0.1)]


def scene(**flags):
    env = Environment(flags=config.CompatFlags(**flags))
    task = Scene()
    env.set_task(task)
    env.reset()
    return env, task


def rolling(body):
    return p.getDynamicsInfo(body, -1)[6]


def test_flat_faces_lose_rolling_friction_and_the_ball_keeps_its_share_of_the_floor():
    _, task = scene(flat_rolling_friction=True)
    plane = 0
    floor_roll, floor_friction = rolling(plane), p.getDynamicsInfo(plane, -1)[1]
    ball_roll, ball_friction = rolling(task.ball), p.getDynamicsInfo(task.ball, -1)[1]
    assert floor_roll > 0 and rolling(task.box) > 0  # the assets' own values, untouched

    _, task = scene()
    assert rolling(plane) == 0 and rolling(task.box) == 0
    stand_links = range(-1, p.getNumJoints(task.stand))
    assert any(s[2] != p.GEOM_BOX for link in stand_links for s in p.getCollisionShapeData(task.stand, link))
    assert all(p.getDynamicsInfo(task.stand, link)[6] == 0 for link in stand_links)  # fixed: never rolls
    assert all(rolling(c) == 0 for c in task.cubes)
    # Bullet combines r_a * f_b + r_b * f_a: ball on floor stays r_ball * f_floor + f_ball * r_floor.
    assert rolling(task.ball) * floor_friction == pytest.approx(
        ball_roll * floor_friction + ball_friction * floor_roll, rel=1e-6
    )


def roll_ball(**flags):
    """Where a ball pushed at 0.3 m/s along +x comes to rest, (3,) metres."""
    _, task = scene(**flags)
    p.resetBaseVelocity(task.ball, [0.3, 0, 0], [0, 10, 0])  # rolling without slipping: w = v / r
    for _ in range(960):
        p.stepSimulation()
    return np.array(p.getBasePositionAndOrientation(task.ball)[0])


def test_a_rolling_ball_runs_as_far_as_with_the_original_rolling_friction():
    original, now = roll_ball(flat_rolling_friction=True), roll_ball()
    assert original[0] > 0.45  # it did roll
    assert np.linalg.norm(now - original) < 1e-3


def test_cubes_in_the_air_stay_awake_and_land():
    # The settle loop after reset ends at once (nothing has moved yet): cubes spawned 1 mm above
    # the floor must not be frozen there.
    _, task = scene()
    for _ in range(96):
        p.stepSimulation()
    assert all(p.getBasePositionAndOrientation(c)[0][2] < 0.0052 for c in task.cubes)


def asleep(body):
    """A sleeping body ignores a velocity set on it: moved less than 1 mm over 48 steps. (Bullet
    puts a body to sleep in the step after it is asked to: one step first.)"""
    p.stepSimulation()
    start = np.array(p.getBasePositionAndOrientation(body)[0])
    p.resetBaseVelocity(body, [0.2, 0, 0])
    for _ in range(48):
        p.stepSimulation()
    moved = np.linalg.norm(np.array(p.getBasePositionAndOrientation(body)[0]) - start)
    p.resetBaseVelocity(body, [0, 0, 0])
    return moved < 1e-3


def test_a_resting_pile_stays_asleep_through_the_next_action():
    # Bullet wakes a body whose first step asleep moves above its threshold, and one awake cube
    # wakes its whole pile: a pile tipping on its neighbours' edges used to wake at once.
    env = Environment()
    env.set_task(Pile(50))
    env.reset()
    for _ in range(480):
        p.stepSimulation()
    env.step()
    assert len(env._slept) == 50
    for _ in range(240):  # the arm's next move, far above
        env.step_simulation()
    assert all(p.getBaseVelocity(b) == ((0, 0, 0), (0, 0, 0)) for b in env._slept)


def test_resting_objects_sleep_after_a_step_and_wake_when_touched():
    env, task = scene()
    assert env.pile_ids == task.cubes
    for _ in range(240):  # land
        p.stepSimulation()
    env.step()  # settles, then puts the resting objects to sleep
    assert asleep(task.box) and asleep(task.ball)
    cube = task.cubes[1]
    start = np.array(p.getBasePositionAndOrientation(cube)[0])
    assert asleep(cube)

    # A block slid into the sleeping cube wakes and pushes it.
    block = env.add_object(BOX, ((0.55, 0.0, 0.02), (0, 0, 0, 1)))
    for _ in range(240):
        p.resetBaseVelocity(block, [0.1, 0, 0])
        p.stepSimulation()
    assert p.getBasePositionAndOrientation(cube)[0][0] > start[0] + 0.005


def test_a_body_tied_by_a_constraint_stays_awake():
    # A rope bead, a held object: Bullet keeps a sleeping body asleep against a constraint.
    env, task = scene()
    p.createConstraint(task.box, -1, -1, -1, p.JOINT_POINT2POINT, (0, 0, 0), (0, 0, 0), (0.5, -0.3, 0.02))
    for _ in range(240):
        p.stepSimulation()
    env.step()
    assert task.box not in env._slept and task.cubes[0] in env._slept


def test_a_constraint_made_on_a_sleeping_body_pulls_it_after_the_next_step():
    env, task = scene()
    for _ in range(240):
        p.stepSimulation()
    env.step()
    p.stepSimulation()
    assert task.box in env._slept
    # As task code might between actions: pin the block 5 cm away.
    p.createConstraint(task.box, -1, -1, -1, p.JOINT_POINT2POINT, (0, 0, 0), (0, 0, 0), (0.5, -0.25, 0.02))
    env.step()  # wakes it
    for _ in range(240):
        p.stepSimulation()
    assert p.getBasePositionAndOrientation(task.box)[0][1] > -0.27


def test_a_woken_body_slides_on_bullet_does_not_stop_it_at_its_own_threshold():
    # Bullet's default multibody threshold (0.01 m^2/s^2) put a box sliding at 3 cm/s to sleep
    # after 2 s; the bodies we let sleep get (5 mm/s)^2 after their first step asleep.
    env, task = scene()
    for _ in range(240):
        p.stepSimulation()
    env.step()
    env.step_simulation()  # the next action's first step
    p.changeDynamics(0, -1, lateralFriction=0)  # ice
    p.changeDynamics(task.box, -1, lateralFriction=0)
    p.resetBaseVelocity(task.box, [0.03, 0, 0])  # as task code might: woken with its velocity
    env.step()
    for _ in range(4 * 480):
        env.step_simulation()
    assert p.getBaseVelocity(task.box)[0][0] > 0.02


def test_a_sleeping_cube_that_task_code_moves_wakes_at_the_next_step():
    # Bullet keeps a teleported sleeping body asleep where it was put, hanging in the air.
    env, task = scene()
    for _ in range(240):
        p.stepSimulation()
    env.step()
    cube = task.cubes[0]
    p.resetBasePositionAndOrientation(cube, (0.6, -0.1, 0.2), (0, 0, 0, 1))  # as task code might
    env.step()  # wakes it (at rest in the air, so the settle loop ends at once)
    for _ in range(240):  # the next action's motion
        p.stepSimulation()
    assert p.getBasePositionAndOrientation(cube)[0][2] < 0.01


class Lifts(Scene):
    """Its reward teleports the block 20 cm up without a simulation step (as a task feeding in
    objects might); its primitive does nothing."""

    def primitive(self, movej, movep, ee, pose0, pose1):
        return False

    def reward(self):
        p.resetBasePositionAndOrientation(self.box, (0.5, -0.3, 0.2), (0, 0, 0, 1))
        return 0.0, {}


def test_a_body_moved_by_the_reward_is_not_frozen_where_it_was_put():
    # Sleeping comes after the reward; the block's contacts with the floor are stale until the
    # next collision detection and carried no force at its new pose.
    env = Environment()
    task = Lifts()
    env.set_task(task)
    env.reset()
    for _ in range(240):
        p.stepSimulation()
    env.step({"pose0": ((0.5, 0, 0.1), (0, 0, 0, 1)), "pose1": ((0.5, 0, 0.1), (0, 0, 0, 1))})
    assert task.box not in env._slept and task.cubes[0] in env._slept
    for _ in range(240):
        p.stepSimulation()
    assert p.getBasePositionAndOrientation(task.box)[0][2] < 0.03


def test_awake_resting_flag_keeps_the_objects_awake():
    env, task = scene(awake_resting=True)
    for _ in range(240):
        p.stepSimulation()
    env.step()
    assert not env._slept
    assert not asleep(task.cubes[1]) and not asleep(task.box)


class Rope(OneStep):
    """One rope of 20 beads (point-to-point constraints), as the rope tasks make it."""

    def reset(self, env):
        super().reset(env)
        self.make_ropes(env, corners=((0.45, -0.1, 0.0), (0.45, 0.1, 0.0)))


def iterations():
    return p.getPhysicsEngineParameters()["numSolverIterations"]


def test_a_rope_scene_runs_fewer_solver_iterations_and_the_next_reset_restores_them():
    env = Environment()
    env.set_task(Rope())
    env.reset()
    assert iterations() == 20
    env.set_task(Scene())
    env.reset()
    assert iterations() == 50  # no rope: PyBullet's default again

    env = Environment(flags=config.CompatFlags(full_rope_iterations=True))
    env.set_task(Rope())
    env.reset()
    assert iterations() == 50


class Pile(OneStep):
    """A pile of `n` 1 cm cubes, as make_piles spawns them (50 there)."""

    def __init__(self, n):
        super().__init__()
        self.n = n

    def reset(self, env):
        super().reset(env)
        for i in range(self.n):
            env.add_object(CUBE, ((0.5 + 0.012 * (i % 5), 0.012 * (i // 5), 0.006), (0, 0, 0, 1)))


def test_a_pile_scene_runs_fewer_solver_iterations_a_few_cubes_do_not():
    env = Environment()
    env.set_task(Pile(physics.PILE_MIN_CUBES))
    env.reset()
    assert iterations() == 20
    env.set_task(Pile(physics.PILE_MIN_CUBES - 1))  # Scene's three cubes are no pile either
    env.reset()
    assert iterations() == 50

    env = Environment(flags=config.CompatFlags(full_pile_iterations=True))
    env.set_task(Pile(50))
    env.reset()
    assert iterations() == 50
