"""Video frames: the composited view (static bodies drawn once) must equal a full render, also after a
fixed object moves or changes colour, after objects move, and after a reset into another scene."""

import numpy as np
import pybullet as p
import pytest

from sim import camera, occupancy
from sim.env import Environment
from sim.task import Task


class Scene(Task):
    """A fixed multi-visual container, a fixed pallet, two blocks; the robot in view."""

    def __init__(self, shift=0.0, pad="pallet/pallet.urdf"):
        super().__init__()
        self.max_steps = 1
        self.lang_template = ""
        self.shift, self.pad_urdf = shift, pad

    def reset(self, env):
        super().reset(env)
        self.container = env.add_object(
            "container/container-template.urdf", ((0.45, 0.2 + self.shift, 0.0), (0, 0, 0, 1)), "fixed"
        )
        self.pad = env.add_object(self.pad_urdf, ((0.6, -0.2, 0.0), (0, 0, 0, 1)), "fixed", color="green")
        self.blocks = [
            env.add_object("stacking/block.urdf", ((0.5, y, 0.02), (0, 0, 0, 1)), color=c)
            for y, c in ((0.0, "red"), (0.2 + self.shift, "blue"))
        ]


@pytest.fixture(scope="module")
def env():
    return Environment()


def _same(env):
    composite, full = env.video_frame(), camera.render_view(env.video_size)
    assert composite.shape == full.shape == (env.video_size[1], env.video_size[0], 3)
    return np.array_equal(composite, full)


def test_composited_frame_equals_full_render(env):
    env.set_task(Scene())
    env.reset()
    assert _same(env)
    # The block inside the container is partly hidden by its walls: occlusion by a static body.
    p.resetBasePositionAndOrientation(env.task.blocks[1], (0.45, 0.2, 0.03), (0, 0, 0, 1))
    assert _same(env)
    for _ in range(30):
        env.step_simulation()
    assert _same(env)


def test_background_follows_fixed_body_changes(env):
    env.set_task(Scene())
    env.reset()
    env.video_frame()
    p.resetBasePositionAndOrientation(env.task.pad, (0.4, -0.3, 0.0), (0, 0, 0, 1))
    assert _same(env)
    p.changeVisualShape(env.task.container, -1, rgbaColor=(0.9, 0.1, 0.1, 1))
    assert _same(env)
    p.removeBody(env.task.pad)
    assert _same(env)


def test_background_is_redrawn_after_reset_and_resize(env):
    env.set_task(Scene())
    env.reset()
    env.video_frame()
    env.set_task(Scene(pad="kitting/kit.urdf"))  # same ids, poses and colours, another shape
    env.reset()
    assert _same(env)
    env.set_task(Scene(shift=-0.3))
    env.reset()
    assert _same(env)
    env.video_size = (160, 120)
    assert _same(env)
    env.video_size = (320, 240)


def test_composited_frame_is_cheaper_in_pixels_drawn(env):
    """The per-frame render must not draw the static bodies: hidden ones leave the z-buffer empty."""
    env.set_task(Scene())
    env.reset()
    view = camera.StaticBackgroundView()
    static = [b for b in range(p.getNumBodies()) if b not in (env.ur5, *env.task.blocks, env.ee.body, env.ee.base)]
    with camera.hidden({b: camera.visuals(b) for b in static}):
        _, zbuffer = camera._look_at(view.size, view.view, 0)
    _, full_z = camera._look_at(view.size, view.view, 0)
    assert (zbuffer < 1).sum() < 0.5 * (full_z < 1).sum()
    assert np.array_equal(view.render(static), camera.render_view())


@pytest.mark.parametrize("supersample", [1, 2])
def test_topdown_without_the_table_slab_is_identical(env, supersample):
    """occupancy.render_topdown hides the workspace slab (below z = 0) only where it cannot matter."""
    env.set_task(Scene())
    env.reset()
    bounds = np.array(env.task.bounds, dtype=float)
    full = occupancy.render_topdown(bounds, env.task.pix_size, supersample)
    fast = occupancy.render_topdown(bounds, env.task.pix_size, supersample, env.table_bodies)
    assert all(np.array_equal(a, b) for a, b in zip(full, fast))
    assert (full[2] == env.task.pad).any() and (full[1] > 0).any()
    # Bounds reaching below the table top: the slab is a valid surface there and must stay drawn.
    low = bounds.copy()
    low[2, 0] = -0.01
    with_slab = occupancy.render_topdown(low, env.task.pix_size, 1, env.table_bodies)
    assert (with_slab[2] == env.table_bodies[1]).mean() > 0.5


def test_shape_colours_survive_hiding_and_restoring(env):
    # PyBullet draws a colour set with changeVisualShape(shapeIndex=k) on shape k only, but reports
    # it for every shape of the link; restoring from those reports turned a two-colour link (the
    # spatula: grey shaft, dark blade) into one colour after the next background redraw.
    env.set_task(Scene())
    env.reset()
    spatula = env.add_object("ur5/spatula/spatula-base.urdf", ((0.5, -0.1, 0.15), (0, 0, 0, 1)))
    before, pristine = camera.visuals(spatula), camera.render_view(env.video_size)
    assert len({rgba for _, _, rgba in before}) == 2
    for _ in range(3):
        env._video_view = camera.StaticBackgroundView(env.video_size)  # redraw: hides every moving body
        env.video_frame()
        occupancy.render_topdown(env.bounds, env.pix_size)  # the oracle's view hides bodies too
    assert camera.visuals(spatula) == before
    assert np.array_equal(camera.render_view(env.video_size), pristine)
