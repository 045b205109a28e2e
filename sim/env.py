"""The PyBullet environment (docs/environment.md, module `cliport.environments.environment`).

Uses the global PyBullet client (task code calls `p.*` without a client id), so one Environment
per process. Differences from the original, all documented in sim/README.md: simulation-step
budgets instead of wall-clock timeouts, agent cameras rendered only when `observe=True`, video
frames rendered at a fixed rate of simulated time, and silent fallbacks recorded in `warnings`.
"""

from __future__ import annotations

import os
import pkgutil

import numpy as np
import pybullet as p

import sim
from sim import camera, config, fallbacks, physics, render_process, templates, utils
from sim import video as sim_video
from sim.robot import EE_MOUNT, EE_TIP, HOME_J, UR5

PLANE_URDF = "plane/plane.urdf"
WORKSPACE_URDF = "ur5/workspace.urdf"
UR5_URDF = "ur5/ur5.urdf"
FALLBACK_URDF = "stacking/block.urdf"
PILE_URDF = "small.urdf"  # the 1 cm pile cube (make_piles); resting ones sleep between actions
SETTLE_SPEED = 5e-3  # m/s: objects slower than this count as static (docs/environment.md#env-step)


class SimBudgetExceeded(RuntimeError):
    """Raised by `Environment.step_simulation` when the episode's simulation-step budget is spent."""


class Environment:
    """Tabletop scene with a UR5 arm and the task's end effector.

    Args:
        assets_root: folder the asset paths are relative to (default `sim.ASSETS_ROOT`).
        task: a Task instance (or set later with `set_task`).
        disp: open the PyBullet GUI instead of DIRECT.
        hz: physics rate; 480 like every runner of the original (time step 1/480 s).
        flags: `sim.config.CompatFlags` (original-behaviour switches).
        observe: render the three agent cameras into observations (off by default: the oracle
            ignores them and they cost ~65% of an episode in the original).
        max_sim_steps: optional budget of simulation steps per episode (reset to 0 at reset);
            exceeding it raises SimBudgetExceeded.
    """

    def __init__(
        self,
        assets_root=None,
        task=None,
        disp=False,
        shared_memory=False,
        hz=480,
        record_cfg=None,
        flags=None,
        observe=False,
        max_sim_steps=None,
    ):
        self.assets_root = str(assets_root or sim.ASSETS_ROOT)
        self.pix_size = 0.003125
        self.bounds = np.array([[0.25, 0.75], [-0.5, 0.5], [0, 0.3]])
        self.homej = HOME_J
        self.agent_cams = camera.RealSenseD415.CONFIG
        self.obj_ids = {"fixed": [], "rigid": [], "deformable": []}
        self.pile_ids: list[int] = []
        self._slept: dict[int, tuple] = {}  # bodies put to sleep after the last action -> pose
        self._thresholds_due = False  # their sleep thresholds wait for their first step asleep
        self._woken: dict[int, tuple] = {}  # sleeping bodies task code touched -> velocity it set
        self.objects = self.obj_ids
        self.record_cfg = record_cfg
        self.blender_recorder = None
        self.save_video = False
        self.step_counter = 0
        self.hz = hz
        self.flags = flags or config.CompatFlags()
        self.observe = observe
        self.max_sim_steps = max_sim_steps
        self.warnings: list[str] = []
        self.sim_steps = 0
        self.frame_callback = None
        self.frame_every = 0
        self.video_size = (320, 240)
        self._video_view = camera.StaticBackgroundView()
        self.render_process = None  # sim.render_process.RenderProcess, started with the first frame
        self.table_bodies = ()
        self._fixed_ok = {}
        self.task = None
        self.ee = None
        self.robot = None
        self._rng = np.random.RandomState()
        self._connect(disp, shared_memory)
        if task is not None:
            self.set_task(task)

    def _connect(self, disp, shared_memory):
        if not p.isConnected():
            mode = p.GUI if disp else p.DIRECT
            if disp and shared_memory:
                mode = p.SHARED_MEMORY
            p.connect(mode)
        use_egl = os.environ.get("GENSIM_EGL", "0") == "1"
        if use_egl and not disp:  # opt-in: on CPU-only hosts TinyRenderer is faster
            egl = pkgutil.get_loader("eglRenderer")
            if egl is not None and p.loadPlugin(egl.get_filename(), "_eglRendererPlugin") >= 0:
                camera.use_hardware_renderer(True)
        p.configureDebugVisualizer(p.COV_ENABLE_GUI, 0)
        p.setPhysicsEngineParameter(enableFileCaching=1)
        p.setAdditionalSearchPath(self.assets_root)
        p.setAdditionalSearchPath(templates.temp_dir())
        p.setTimeStep(1.0 / self.hz)

    # ------------------------------------------------------------ task plumbing

    def set_task(self, task):
        """Attach `task` and give it the assets root."""
        task.set_assets_root(self.assets_root)
        self.task = task

    def get_task_name(self):
        """Class name of the current task."""
        return type(self.task).__name__

    def get_lang_goal(self):
        """The task's current language goal."""
        return self.task.get_lang_goal() if self.task else ""

    def seed(self, seed=None):
        """Seed the private RNG (camera noise only); returns the seed."""
        self._rng = np.random.RandomState(seed)
        return seed

    # ------------------------------------------------------------ reset and objects

    def reset(self):
        """Rebuild the world (plane, workspace, UR5, end effector), reset the task -> observation.
        Raises ValueError when no task is set."""
        if not self.task:
            raise ValueError("environment task must be set. Call set_task or pass the task arg.")
        if not p.isConnected():  # someone disconnected the global client since construction
            self._connect(False, False)
        self.obj_ids = {"fixed": [], "rigid": [], "deformable": []}
        self.pile_ids = []
        self._slept, self._thresholds_due, self._woken = {}, False, {}
        self.warnings = []
        fallbacks.bind(self.warnings)
        config.activate(self.flags)
        self.sim_steps = 0
        p.resetSimulation()
        camera.forget_restored()  # body ids start again
        p.setGravity(0, 0, -9.8)
        p.setTimeStep(1.0 / self.hz)
        p.setPhysicsEngineParameter(
            solverResidualThreshold=config.BULLET_SOLVER_RESIDUAL
            if self.flags.exact_solver
            else config.SOLVER_RESIDUAL,
            numSolverIterations=config.SOLVER_ITERATIONS,
        )
        p.configureDebugVisualizer(p.COV_ENABLE_RENDERING, 0)
        plane = p.loadURDF(os.path.join(self.assets_root, PLANE_URDF), [0, 0, -0.001])
        # The renderers draw visual-less bodies from their collision shapes: a 4 m white slab that
        # costs ~60% of every frame. Transparent, it is skipped (the background is white anyway).
        p.changeVisualShape(plane, -1, rgbaColor=[1, 1, 1, 0])
        workspace = p.loadURDF(os.path.join(self.assets_root, WORKSPACE_URDF), [0.5, 0, 0])
        self.table_bodies = (plane, workspace)  # wholly below z = 0 (see occupancy.render_topdown)
        self._fixed_ok = {}
        self._video_view = camera.StaticBackgroundView(self.video_size)  # ids are reused
        self.robot = UR5(os.path.join(self.assets_root, UR5_URDF), self.step_simulation, self.hz)
        self.ur5 = self.robot.body
        self.joints = self.robot.joints
        self.ee = self.task.ee(self.assets_root, self.ur5, EE_MOUNT, self.obj_ids)
        self.ee_tip = EE_TIP
        self.ee.release()
        self.task.reset(self)
        if not self.flags.flat_rolling_friction:
            physics.drop_flat_rolling_friction(plane)
        rope = not self.flags.full_rope_iterations and physics.holds_rope()
        pile = not self.flags.full_pile_iterations and len(self.pile_ids) >= physics.PILE_MIN_CUBES
        if rope or pile:
            p.setPhysicsEngineParameter(numSolverIterations=physics.FEWER_SOLVER_ITERATIONS)
        p.configureDebugVisualizer(p.COV_ENABLE_RENDERING, 1)
        obs, _, _, _ = self.step()
        return obs

    def add_object(self, urdf, pose, category="rigid", color=None, **kwargs):
        """Load `urdf` (relative to assets_root or absolute) at `pose` -> body id
        (docs/environment.md#add-object).

        Template paths are dummy-filled; a missing file or a load error becomes the 4 cm
        `stacking/block.urdf` (recorded in `warnings`); a bare position gets identity orientation;
        `color` may be a name, list, tuple or array. Raises KeyError for an unknown category.
        """
        if category not in self.obj_ids:
            raise KeyError(category)
        fixed_base = 1 if category == "fixed" else 0
        if "template" in urdf:
            if not os.path.exists(templates.resolve(self.assets_root, urdf)):
                urdf = urdf.replace("-template", "")
            if os.path.exists(templates.resolve(self.assets_root, urdf)):
                urdf = templates.fill_dummy_template(self.assets_root, urdf)
        path = templates.resolve(self.assets_root, urdf)
        if not os.path.exists(path):
            fallbacks.warn(f"add_object: missing URDF {urdf!r} replaced by {FALLBACK_URDF}")
            path = os.path.join(self.assets_root, FALLBACK_URDF)
        pose = _as_pose(pose)
        try:
            obj_id = p.loadURDF(path, pose[0], pose[1], useFixedBase=fixed_base)
        except p.error:
            fallbacks.warn(f"add_object: cannot load {os.path.basename(str(urdf))!r}; replaced by {FALLBACK_URDF}")
            obj_id = p.loadURDF(
                os.path.join(self.assets_root, FALLBACK_URDF), pose[0], pose[1], useFixedBase=fixed_base
            )
        self.obj_ids[category].append(obj_id)
        if os.path.basename(path) == PILE_URDF:
            self.pile_ids.append(obj_id)
        if color is not None:
            p.changeVisualShape(obj_id, -1, rgbaColor=utils.as_rgb(color) + [1])
        return obj_id

    def set_color(self, obj_id, color):
        """Recolour the base link of `obj_id` (name or RGB)."""
        p.changeVisualShape(obj_id, -1, rgbaColor=utils.as_rgb(color) + [1])

    set_object_color = set_color

    def get_object_pose(self, obj_id):
        """(position, quaternion) of the object's base."""
        return p.getBasePositionAndOrientation(obj_id)

    def get_object_size(self, obj_id):
        """AABB volume of the object (m^3; the original's name says size)."""
        lo, hi = p.getAABB(obj_id)
        return float(np.prod(np.subtract(hi, lo)))

    # ------------------------------------------------------------ stepping

    def step_simulation(self):
        """One physics step; emits a video frame every `frame_every` steps when a frame callback
        is set. Raises SimBudgetExceeded past `max_sim_steps`."""
        p.stepSimulation()
        if self._thresholds_due:  # the bodies put to sleep after the last action are asleep now
            physics.settle_thresholds(self._slept, SETTLE_SPEED)
            self._thresholds_due = False
        if self._woken:  # the sleeping bodies task code touched are awake now
            physics.restore_velocities(self._woken)
            self._woken = {}
        self.sim_steps += 1
        self.step_counter += 1
        if self.frame_callback is not None and self.sim_steps % self.frame_every == 0:
            self.emit_frame()
        if self.max_sim_steps is not None and self.sim_steps > self.max_sim_steps:
            raise SimBudgetExceeded(f"simulation-step budget of {self.max_sim_steps} exhausted")

    @property
    def is_static(self):
        """True when every rigid object moves slower than 5 mm/s."""
        return all(np.linalg.norm(p.getBaseVelocity(i)[0]) < SETTLE_SPEED for i in self.obj_ids["rigid"])

    def step(self, action=None):
        """Execute {'pose0', 'pose1'} with the task's primitive, let objects settle (at most 5
        simulated seconds), score -> (obs, reward, done, info). A primitive timeout ends the
        episode with reward 0."""
        self._woken = physics.wake_moved(self._slept)  # task code may have moved a sleeping body since
        if action is not None:
            timeout = self.task.primitive(self.movej, self.movep, self.ee, action["pose0"], action["pose1"])
            if timeout:
                fallbacks.warn("primitive timed out (arm could not reach a target)")
                return self._get_obs(), 0.0, True, self.info
        for _ in range(5 * self.hz):
            if self.is_static:
                break
            self.step_simulation()
        reward, info = self.task.reward() if action is not None else (0, {})
        if not self.flags.awake_resting:  # after the reward: what it fed in and settled sleeps too
            self._slept = physics.sleep_resting(physics.free_bodies(self.obj_ids["rigid"]), SETTLE_SPEED)
            self._thresholds_due = bool(self._slept)
        done = self.task.done()
        info.update(self.info)
        return self._get_obs(), reward, done, info

    def movej(self, targj, speed=0.01, timeout=5):
        """Joint-space move; True on timeout (see sim.robot.UR5.movej)."""
        return self.robot.movej(targj, speed, timeout)

    def movep(self, pose, speed=0.01):
        """Move ee_tip to `pose`; True on timeout."""
        return self.robot.movep(pose, speed)

    def solve_ik(self, pose):
        """Joint angles (6,) for ee_tip at `pose`."""
        return self.robot.solve_ik(pose)

    def descend_until_contact(self, pose, detect_contact, speed=0.01):
        """Straight-line descent from `pose` until contact; True on timeout (sim.robot)."""
        # Fast approach only with an empty gripper: a held object (inertia 1 in Ravens assets) slips
        # in the grasp when the arm speeds up and stops (block-insertion lost the ell's alignment).
        if getattr(self.ee, "held", None) is not None:
            moving = []
        else:
            moving = [b for b in (getattr(self.ee, "body", None), getattr(self.ee, "base", None)) if b is not None]
        return self.robot.descend_until_contact(pose, detect_contact, speed, moving=moving)

    # ------------------------------------------------------------ observations

    def render_camera(self, config_, image_size=None, shadow=1):
        """(colour uint8 HxWx3, depth float HxW, segmentation HxW) of a camera config
        (docs/environment.md#rendering)."""
        color, depth, segm = camera.render(config_, image_size, shadow, self._rng)
        if self.flags.uint8_segmentation:
            segm = np.uint8(segm & 0xFF)
        return color, depth, segm

    def _get_obs(self):
        obs = {"color": (), "depth": ()}
        if self.observe:
            for cfg in self.agent_cams:
                color, depth, _ = self.render_camera(cfg)
                obs["color"] += (color,)
                obs["depth"] += (depth,)
        return obs

    def render(self, mode="rgb_array"):
        """Colour image of the first agent camera."""
        return self.render_camera(self.agent_cams[0])[0]

    @property
    def info(self):
        """{id: (position, quaternion, visual dimensions)} for every object, plus 'lang_goal'."""
        info = {}
        for obj_ids in self.obj_ids.values():
            for obj_id in obj_ids:
                pos, rot = p.getBasePositionAndOrientation(obj_id)
                visual = p.getVisualShapeData(obj_id)
                dim = visual[0][3] if visual else (0, 0, 0)
                info[obj_id] = (pos, rot, dim)
        info["lang_goal"] = self.get_lang_goal()
        return info

    # ------------------------------------------------------------ video frames

    def start_render_process(self, confine=None) -> bool:
        """Render video frames in a second process from now on (sim.render_process); `confine()`
        runs first in it. Off with GENSIM_RENDER_PROCESS=0 or on one CPU (nothing to overlap),
        and where fork fails (the sandbox's seccomp filter, once installed). Returns whether it
        runs; started at most once."""
        if self.render_process is None:
            self.render_process = render_process.RenderProcess()
            if sim_video.render_process_enabled():
                self.render_process.start(confine)
        return self.render_process.alive

    def flush_frames(self):
        """Hand every video frame still being rendered to its callback (end of an episode)."""
        if self.render_process is not None:
            self.render_process.flush()

    def emit_frame(self):
        """Send the current video frame to `frame_callback`: rendered by the second process when it
        runs (delivered later, in order; `flush_frames`), else here."""
        self.start_render_process()
        worker = self.render_process
        if worker.alive and worker.submit(self.frame_callback, list(self.video_size), self._static_video_bodies()):
            return
        worker.flush()  # frames in flight first: the callback gets them in order
        self.frame_callback(self.video_frame())

    def _static_video_bodies(self):
        """Bodies the video view draws once: the workspace and the immobile 'fixed' objects."""
        return list(self.table_bodies) + [b for b in self.obj_ids["fixed"] if self._immobile(b)]

    def video_frame(self):
        """Colour frame (H, W, 3) uint8 of the video view at `video_size` (width, height).

        The workspace and the task's 'fixed' objects without movable joints are drawn once and
        composited (camera.StaticBackgroundView): 2-3x cheaper than a full render, same pixels.
        """
        if self._video_view.size != tuple(self.video_size):
            self._video_view = camera.StaticBackgroundView(self.video_size)
        return self._video_view.render(self._static_video_bodies())

    def _immobile(self, body):
        """Whether fixed-base `body` has only fixed joints (cached per episode)."""
        if body not in self._fixed_ok:
            try:
                joints = [p.getJointInfo(body, j)[2] for j in range(p.getNumJoints(body))]
            except p.error:  # removed by task code
                return False
            self._fixed_ok[body] = all(kind == p.JOINT_FIXED for kind in joints)
        return self._fixed_ok[body]

    # ------------------------------------------------------------ video (original helper names)

    def start_rec(self, video_filename=None):
        """Start collecting frames (every 5 simulation steps) into `self.rec_frames`."""
        self.rec_frames = []
        self.save_video = True
        self.frame_every = 5
        self.frame_callback = self.rec_frames.append

    def add_video_frame(self):
        """Append one frame now (while recording)."""
        if self.save_video:
            self.rec_frames.append(self.video_frame())

    def end_rec(self):
        """Stop recording; returns the frames."""
        self.flush_frames()
        self.save_video = False
        self.frame_callback = None
        return getattr(self, "rec_frames", [])


def _as_pose(pose):
    if len(pose) == 3 and all(np.ndim(v) == 0 for v in pose):
        return (tuple(float(v) for v in pose), (0.0, 0.0, 0.0, 1.0))
    return (tuple(float(v) for v in pose[0]), tuple(float(v) for v in pose[1]))
