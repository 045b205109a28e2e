"""Test helper: run the offline generator's own task code's `reset` against a recording environment
(no physics, no rendering) to inspect the goals and spawned objects it registers. Only for code this
generator wrote; the benchmarks and the app run task code in `sim.sandbox` only."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np

_URDF_FAMILY = (
    ("stacking/block", "cuboid"),
    ("box-template", "cuboid"),
    ("block/block", "cuboid"),
    ("cylinder-template", "round"),
    ("ball-template", "ball"),
    ("insertion/ell", "ell"),
    ("block/small", "pile"),
    ("bowl/bowl", "bowl"),
    ("zone/zone", "zone"),
    ("container-template", "container"),
    ("pallet/pallet", "pallet"),
    ("stacking/stand", "stand"),
    ("insertion/fixture", "fixture"),
)
PILE_MIN = 5


class RecordingEnv:
    """Stands in for the environment during `reset`: records add_object calls, answers pose queries."""

    def __init__(self):
        self.objects: list[dict] = []
        self.obj_ids = {"fixed": [], "rigid": [], "deformable": []}

    def add_object(self, urdf, pose, category="rigid", color=None, **kwargs):
        obj_id = len(self.objects) + 5  # ids after plane, workspace, robot and gripper (docs/environment.md#env-reset)
        self.objects.append({"urdf": str(urdf), "pose": pose, "category": category, "color": color})
        self.obj_ids[category].append(obj_id)
        return obj_id

    def getBasePositionAndOrientation(self, obj_id):  # pybullet's name
        pose = self.objects[obj_id - 5]["pose"]
        return tuple(pose[0]), tuple(pose[1])


def spawned_objects(code: str) -> list[dict]:
    """Run the task's `reset` with a RecordingEnv and return what it spawned:
    [{"family": str | None, "category": str, "color": colour name | None, "urdf": str}].

    get_random_pose is replaced by a fixed pose (x 0.5, y 0, z = half the height) since nothing renders.
    Raises whatever the task code raises.
    """
    import sim

    if str(sim.COMPAT_DIR) not in sys.path:
        sys.path.insert(0, str(sim.COMPAT_DIR))
    from cliport.tasks.task import Task
    from cliport.utils import utils

    module = types.ModuleType("offline_generated_task")
    exec(compile(code, "<offline task>", "exec"), module.__dict__)
    cls = next(v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Task) and v is not Task)
    env = RecordingEnv()
    module.p = env  # the code's `p.getBasePositionAndOrientation` reads recorded poses
    task = cls()
    task.set_assets_root(str(sim.ASSETS_ROOT))
    task.get_random_pose = lambda env, obj_size=0.1, **kw: ([0.5, 0.0, obj_size[2] / 2], (0.0, 0.0, 0.0, 1.0))
    task.make_piles = lambda env, block_color=None: [  # the real one drops cubes with pybullet
        env.add_object("block/small.urdf", ([0.5, 0.0, 0.01], (0, 0, 0, 1)), color=utils.COLORS[block_color])
        for _ in range(task.num_blocks)
    ]
    task.reset(env)
    names = {tuple(np.round(rgb, 4)): name for name, rgb in list(utils.COLORS.items())}
    uses = {}
    for o in env.objects:
        uses[o["urdf"]] = uses.get(o["urdf"], 0) + 1
    out = []
    for o in env.objects:
        family = next((f for key, f in _URDF_FAMILY if key in o["urdf"]), None)
        if uses[o["urdf"]] >= PILE_MIN and _is_pile_cube(o["urdf"]):
            family = "pile"  # one 2 cm cube file spawned many times: the swept pile
        rgb = o["color"]
        color = names.get(tuple(np.round(rgb, 4))) if rgb is not None and not isinstance(rgb, str) else rgb
        out.append({"family": family, "category": o["category"], "color": color, "urdf": o["urdf"]})
    return out


def _is_pile_cube(urdf: str) -> bool:
    path = Path(urdf)
    return path.is_absolute() and path.exists() and 'size="0.02 0.02 0.02"' in path.read_text()
