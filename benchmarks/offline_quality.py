"""python -m benchmarks.offline_quality [--ideas tests/data/ideas.txt] [--episodes 2] [--workers 2] [--seed 1000]

Quality of the offline rule-based generator: every idea of the file is turned into task code and run
in the sandbox (`sim.sandbox.run`, no video) with distinct seeds; what the task spawned is read from the
verdict's final scene (nothing runs in this process). Prints, per idea, pass/fail, the episode rewards
and what the task lacked compared with the idea's expectations; then the pass-and-match rate (success
stage passed AND every named object/colour/count present) and the median and 90th-percentile latency
from idea to verdict, with the config, versions and machine.

Ideas file: lines `idea | expect: key=n key=n` (kinds and colours with the count the idea names).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pybullet

from serving.offline import OfflineBackend
from sim.sandbox import run
from sim.settings import RunSettings

# Expectation keys that are kinds, grouped the way scene objects (URDF robot names) can be told apart.
FAMILIES = {
    "cuboid": ("block", "box", "plank"),
    "round": ("cylinder", "wheel"),
    "ball": ("ball",),
    "ell": ("ell",),
    "pile": ("pile",),
    "bowl": ("bowl",),
    "zone": ("zone",),
    "container": ("container",),
    "pallet": ("pallet",),
    "stand": ("stand",),
    "fixture": ("fixture",),
}
_NAME_FAMILY = {
    "block": "cuboid",
    "box": "cuboid",
    "cylinder": "round",
    "ball": "ball",
    "ell": "ell",
    "bowl": "bowl",
    "zone": "zone",
    "container": "container",
    "pallet": "pallet",
    "stand": "stand",
    "fixture": "fixture",
}
PILE_MIN = 5  # at least this many 2 cm cubes of one colour are a swept pile


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


def scene_objects(scene: list[dict]) -> list[dict]:
    """Scene objects (sim.episode.final_scene) as [{"family", "category", "color", "name"}]; 2 cm cubes
    spawned PILE_MIN or more times are the pile."""
    cubes = [o for o in scene if o["name"] == "box" and o["size"][2] < 0.025 and max(o["size"][:2]) < 0.035]
    out = []
    for o in scene:
        family = _NAME_FAMILY.get(o["name"])
        if len(cubes) >= PILE_MIN and o in cubes:
            family = "pile"
        out.append({"family": family, "category": o["category"], "color": o["color"], "name": o["name"]})
    return out


def missing(expect: dict[str, int], spec: dict, spawned: list[dict]) -> list[str]:
    """What the task lacks compared with `expect` (empty list = everything the idea named is there).

    Kinds are checked in the spec and, by family, among the scene objects; colours likewise.
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
        for c in {o["color"] for o in spawned if o["family"] == "pile" and o["color"]}:
            col_spawned[c] = col_spawned.get(c, 0) + 1
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
    start = time.perf_counter()
    result = OfflineBackend().write_task(idea)
    if not isinstance(result, tuple):
        return {
            "idea": idea,
            "seed": seed,
            "passed": False,
            "missing": [],
            "ok": False,
            "latency_s": time.perf_counter() - start,
            "rewards": [],
            "error": result.message,
        }
    code, spec = result
    verdict = run(code, RunSettings(episodes=episodes, seed=seed, video=False), stream_frames=False)
    latency = time.perf_counter() - start
    scene = (verdict.get("scene") or [[]])[0]
    lacks = missing(expect, spec, scene_objects(scene))
    passed = bool(verdict["passed"].get("success"))
    return {
        "idea": idea,
        "seed": seed,
        "passed": passed,
        "missing": lacks,
        "ok": passed and not lacks,
        "latency_s": latency,
        "rewards": [round(e["reward"], 3) for e in verdict["episodes"]],
        "error": verdict["error"] and f"{verdict['error']['type']}: {verdict['error']['message']}",
    }


def evaluate(ideas: list[tuple[str, dict]], *, episodes: int = 2, workers: int = 2, seed: int = 1000) -> list[dict]:
    """`evaluate_idea` for every idea, `workers` sandboxes at a time; idea k gets seeds
    seed + episodes*k ... (all distinct). Results come back in the order of `ideas`."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(evaluate_idea, idea, expect, seed + episodes * k, episodes)
            for k, (idea, expect) in enumerate(ideas)
        ]
        return [f.result() for f in futures]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ideas", default=str(Path(__file__).resolve().parents[1] / "tests/data/ideas.txt"))
    ap.add_argument("--episodes", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1000)
    args = ap.parse_args(argv)
    if args.episodes < 1 or args.workers < 1:
        ap.error("--episodes and --workers must be >= 1")
    ideas = load_ideas(args.ideas)
    if not ideas:
        ap.error(f"no ideas in {args.ideas}")
    print(f"config: ideas={args.ideas} ({len(ideas)}) episodes={args.episodes} workers={args.workers} seed={args.seed}")
    print(
        f"versions: python {platform.python_version()}, pybullet API {pybullet.getAPIVersion()}; "
        f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} CPUs",
        flush=True,
    )
    start = time.perf_counter()
    results = evaluate(ideas, episodes=args.episodes, workers=args.workers, seed=args.seed)
    wall = time.perf_counter() - start
    for r in results:
        status = "ok  " if r["ok"] else "FAIL"
        extra = "; ".join(r["missing"]) + (f" {r['error']}" if r["error"] else "")
        print(f"{status} {r['latency_s']:6.1f}s seeds {r['seed']}+ rewards {r['rewards']} {r['idea']!r} {extra}")
    ok = sum(r["ok"] for r in results)
    lat = sorted(r["latency_s"] for r in results)
    print(f"pass-and-match: {ok}/{len(results)} = {ok / len(results):.1%}")
    print(f"sandbox success stage passed: {sum(r['passed'] for r in results)}/{len(results)}")
    print(
        f"latency idea->verdict: median {statistics.median(lat):.1f} s, "
        f"p90 {lat[int(0.9 * (len(lat) - 1))]:.1f} s; wall {wall:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
