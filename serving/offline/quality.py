"""Checks of generated tasks against what an idea asked for (used by tests and benchmarks/offline_quality.py).

    from serving.offline.quality import load_ideas, spawned_objects, missing
    for idea, expect in load_ideas("tests/data/ideas.txt"): ...

`spawned_objects` runs a task's `reset` in this process against a recording environment (no physics,
no rendering), so it is only for code this generator wrote itself; untrusted code goes to `sim.sandbox`.
"""
from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np

# Expectation keys that are kinds, grouped the way spawned URDFs can be told apart.
FAMILIES = {
    "cuboid": ("block", "box", "plank"), "round": ("cylinder", "wheel"), "ball": ("ball",), "ell": ("ell",),
    "pile": ("pile",), "bowl": ("bowl",), "zone": ("zone",), "container": ("container",),
    "pallet": ("pallet",), "stand": ("stand",), "fixture": ("fixture",),
}
PILE_MIN = 5  # a URDF file spawned at least this often is a pile (fill_template paths are unique per call)
_URDF_FAMILY = (("stacking/block", "cuboid"), ("box-template", "cuboid"), ("block/block", "cuboid"),
                ("cylinder-template", "round"), ("ball-template", "ball"), ("insertion/ell", "ell"),
                ("block/small", "pile"), ("bowl/bowl", "bowl"), ("zone/zone", "zone"),
                ("container-template", "container"), ("pallet/pallet", "pallet"), ("stacking/stand", "stand"),
                ("insertion/fixture", "fixture"))


def load_ideas(path) -> list[tuple[str, dict[str, int]]]:
    """Lines `idea | expect: key=n key=n` (blank lines and # comments skipped) -> [(idea, {key: n})].

    Raises ValueError naming the line when a line is malformed.
    """
    out = []
    for k, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        idea, sep, rest = line.partition("| expect:")
        try:
            expect = {key: int(n) for key, n in (item.split("=") for item in rest.split())}
        except ValueError:
            raise ValueError(f"{path}:{k}: expected 'idea | expect: key=n ...', got {line!r}") from None
        if not sep or not idea.strip():
            raise ValueError(f"{path}:{k}: expected 'idea | expect: key=n ...', got {line!r}")
        out.append((idea.strip(), expect))
    return out


def spec_counts(spec: dict) -> dict[str, int]:
    """Objects per kind and per colour named in a parser spec (scenery added by the emitter excluded)."""
    counts: dict[str, int] = {}
    for o in spec["objects"]:
        counts[o["kind"]] = counts.get(o["kind"], 0) + o["count"]
        for c in o["colors"]:
            if c:
                counts[c] = counts.get(c, 0) + 1
    return counts


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

    def getBasePositionAndOrientation(self, obj_id):  # noqa: N802 (pybullet's name)
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
        for _ in range(task.num_blocks)]
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


def missing(expect: dict[str, int], spec: dict, spawned: list[dict]) -> list[str]:
    """What the task lacks compared with `expect` (empty list = everything the idea named is there).

    Kinds are checked in the spec and, by URDF family, among the spawned objects; colours likewise.
    A pile counts once however many cubes it has.
    """
    have = spec_counts(spec)
    fam_spawned: dict[str, int] = {}
    col_spawned: dict[str, int] = {}
    for o in spawned:
        if o["family"] == "pile":
            continue
        fam_spawned[o["family"]] = fam_spawned.get(o["family"], 0) + 1
        if o["color"]:
            col_spawned[o["color"]] = col_spawned.get(o["color"], 0) + 1
    if any(o["family"] == "pile" for o in spawned):
        fam_spawned["pile"] = 1
        col_spawned.update({c: col_spawned.get(c, 0) + 1 for c in {o["color"] for o in spawned
                                                                      if o["family"] == "pile" and o["color"]}})
    problems = []
    for key, n in expect.items():
        if have.get(key, 0) < n:
            problems.append(f"spec has {have.get(key, 0)} {key}, idea asked for {n}")
        family = next((f for f, kinds in FAMILIES.items() if key in kinds), None)
        if family:
            want = sum(v for k, v in expect.items() if k in FAMILIES[family])
            if fam_spawned.get(family, 0) < want:
                problems.append(f"spawned {fam_spawned.get(family, 0)} {family} objects, need {want}")
        elif col_spawned.get(key, 0) < n:
            problems.append(f"spawned {col_spawned.get(key, 0)} {key} objects, idea asked for {n}")
    return sorted(set(problems))


def evaluate_idea(idea: str, expect: dict[str, int], seed: int, episodes: int = 2) -> dict:
    """Idea -> code -> sandbox verdict, timed. Returns {"idea", "seed", "passed" (success stage),
    "missing" [str], "ok" (passed and nothing missing), "latency_s" (idea to verdict), "rewards",
    "error"}. Refusals count as failures with the refusal text as error.
    """
    import time

    from serving.offline import OfflineBackend
    from sim.sandbox import run

    start = time.perf_counter()
    result = OfflineBackend().write_task(idea)
    if not isinstance(result, tuple):
        return {"idea": idea, "seed": seed, "passed": False, "missing": [], "ok": False,
                "latency_s": time.perf_counter() - start, "rewards": [], "error": result.message}
    code, spec = result
    verdict = run(code, episodes=episodes, seed=seed, video=False, stream_frames=False)
    latency = time.perf_counter() - start
    lacks = missing(expect, spec, spawned_objects(code))
    passed = bool(verdict["passed"].get("success"))
    return {"idea": idea, "seed": seed, "passed": passed, "missing": lacks, "ok": passed and not lacks,
            "latency_s": latency, "rewards": [round(e["reward"], 3) for e in verdict["episodes"]],
            "error": verdict["error"] and f"{verdict['error']['type']}: {verdict['error']['message']}"}


def evaluate(ideas: list[tuple[str, dict]], *, episodes: int = 2, workers: int = 2, seed: int = 1000) -> list[dict]:
    """`evaluate_idea` for every idea, `workers` sandboxes at a time; idea k gets seeds
    seed + episodes*k ... (all distinct). Results come back in the order of `ideas`."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(evaluate_idea, idea, expect, seed + episodes * k, episodes)
                   for k, (idea, expect) in enumerate(ideas)]
        return [f.result() for f in futures]
