"""python -m benchmarks.idea_fidelity [--ideas tests/data/ideas_labelled.jsonl] [--workers 2] [--seed 2000]
                                    [--only CATEGORY] [--limit N]

Does the offline generator build what an idea asked for? Every labelled idea goes idea -> offline
backend -> sandbox (one episode, no video) -> the verdict's final scene, and the labelled relations are
checked on that scene (left-of, on-top-of order, inside, count per container, ...). Ideas labelled
"refuse" must be refused, the others must not be.

Prints one line per idea, then:
  faithful-and-solved %: understanding.faithful, the oracle succeeded and every labelled relation holds;
  honest %: faithful with the relations holding, or not faithful with the deviation named in notes;
  refusal precision / recall over the ideas labelled "refuse";
  median seconds per idea (idea to verdict).

Label format (one JSON object per line): {"idea", "category", "refuse": bool, "relations": [...]} with
relations over object references "colour kind" or "kind" (see `check`).
"""

from __future__ import annotations

import argparse
import json
import math
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

ROOT = Path(__file__).resolve().parents[1]

# Scene names (URDF robot names, sim.episode.final_scene) each label kind may appear as.
KIND_NAMES = {
    "block": {"block", "box"},
    "cube": {"block", "box"},
    "box": {"box"},
    "plank": {"box"},
    "container": {"container"},
    "bowl": {"bowl"},
    "zone": {"zone"},
    "pallet": {"pallet"},
    "ball": {"ball"},
    "cylinder": {"cylinder"},
    "ell": {"ell"},
    "fixture": {"fixture"},
    "stand": {"stand"},
    "disk": {"disk0", "disk1", "disk2", "disk3"},
}
FOOTPRINT = {"bowl": 0.06, "zone": 0.065, "container": 0.075, "pallet": 0.15, "stand": 0.08}
MARGIN = 0.02  # metres an object must clear a reference by along a relation's axis


def load(path) -> list[dict]:
    """Labelled ideas of a JSONL file; ValueError naming the line when one is malformed."""
    out = []
    for k, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            assert isinstance(item["idea"], str) and isinstance(item["category"], str)
            assert isinstance(item.get("refuse", False), bool) and isinstance(item.get("relations", []), list)
        except (ValueError, KeyError, AssertionError):
            raise ValueError(
                f"{path}:{k}: expected {{'idea', 'category', 'refuse', 'relations'}}, got {line[:120]!r}"
            ) from None
        out.append(item)
    return out


def find(scene: list[dict], ref: str) -> list[dict]:
    """Scene objects matching 'colour kind' or 'kind'."""
    words = ref.split()
    kind, color = words[-1], (words[0] if len(words) > 1 else None)
    names = KIND_NAMES.get(kind, {kind})
    out = [o for o in scene if o["name"] in names and (color is None or o["color"] == color)]
    if kind in ("block", "cube", "box"):  # not the fixed build plates nor the planks (also box-template)
        out = [o for o in out if o["category"] == "rigid" and o["size"][2] > 0.025]
    return out


def _xy(o):
    return o["position"][0], o["position"][1]


def _inside(o, container) -> bool:
    r = FOOTPRINT.get(container["name"], max(container["size"][:2]) / 2)
    return math.dist(_xy(o), _xy(container)) < r


def _side(a, b, axis: int, sign: int) -> bool:
    d = [a["position"][0] - b["position"][0], a["position"][1] - b["position"][1]]
    return sign * d[axis] > MARGIN and abs(d[axis]) >= abs(d[1 - axis])


SIDES = {"left_of": (1, -1), "right_of": (1, 1), "in_front_of": (0, 1), "behind": (0, -1)}


def check(rel: list, scene: list[dict]) -> str | None:
    """None when relation `rel` holds in `scene`, else why not. Relations:
    ["count", ref, n]; ["left_of" | "right_of" | "in_front_of" | "behind" | "next_to", a, b];
    ["between", a, b, c]; ["around", a, b]; ["on", a, b]; ["tower", [bottom, ..., top]];
    ["in", a, b] (every a inside some b); ["each_in", a, b, n]; ["not_in", a, b];
    ["shape", a, "line" | "square" | "circle" | "grid"]; ["towers", a, n] (n stacks of a);
    ["hanoi"] (all disks on one rod, largest at the bottom)."""
    kind = rel[0]
    if kind == "count":
        n = len(find(scene, rel[1]))
        return None if n == rel[2] else f"{n} {rel[1]} in the scene, expected {rel[2]}"
    if kind == "hanoi":
        disks = sorted(find(scene, "disk"), key=lambda o: o["name"])
        if not disks:
            return "no disks"
        spread = max(math.dist(_xy(d), _xy(disks[0])) for d in disks)
        z_order = [d["position"][2] for d in disks]
        ok = spread < 0.02 and z_order == sorted(z_order, reverse=True)
        return None if ok else f"disks spread {spread:.3f} m, heights {z_order}"
    if kind == "tower":
        objs = [find(scene, r) for r in rel[1]]
        if not all(objs):
            return f"missing {[r for r, o in zip(rel[1], objs) if not o]}"
        for lower, upper in zip(objs, objs[1:]):
            if not any(
                math.dist(_xy(u), _xy(lo)) < 0.025 and u["position"][2] > lo["position"][2] + 0.015
                for u in upper
                for lo in lower
            ):
                return f"{rel[1]} is not stacked in this order"
        return None
    a = find(scene, rel[1])
    if not a:
        return f"no {rel[1]} in the scene"
    if kind == "shape":
        return _shape(a, rel[2])
    if kind == "towers":
        tops = {round(o["position"][2], 2) for o in a}
        bases = []
        for o in a:
            if not any(math.dist(_xy(o), b) < 0.025 for b in bases):
                bases.append(_xy(o))
        return None if len(bases) == rel[2] and len(tops) > 1 else f"{len(bases)} stacks of {rel[1]}"
    b = find(scene, rel[2])
    if not b:
        return f"no {rel[2]} in the scene"
    if kind in SIDES:
        axis, sign = SIDES[kind]
        bad = [o for o in a if not any(_side(o, r, axis, sign) for r in b)]
        return None if not bad else f"{len(bad)} {rel[1]} not {kind} {rel[2]}"
    if kind == "next_to":
        bad = [
            o
            for o in a
            if not any(math.dist(_xy(o), _xy(r)) < (max(r["size"][:2]) + max(o["size"][:2])) / 2 + 0.06 for r in b)
        ]
        return None if not bad else f"{len(bad)} {rel[1]} not next to {rel[2]}"
    if kind == "between":
        c = find(scene, rel[3])
        if not c:
            return f"no {rel[3]} in the scene"
        for o in a:
            for p in b:
                for q in c:
                    (px, py), (qx, qy), (ox, oy) = _xy(p), _xy(q), _xy(o)
                    seg = (qx - px) ** 2 + (qy - py) ** 2
                    t = ((ox - px) * (qx - px) + (oy - py) * (qy - py)) / seg if seg else -1
                    dist = math.dist((ox, oy), (px + t * (qx - px), py + t * (qy - py)))
                    if 0.2 < t < 0.8 and dist < 0.03:
                        return None
        return f"{rel[1]} is not between {rel[2]} and {rel[3]}"
    if kind == "around":
        centre = b[0]
        angles = sorted(
            math.atan2(o["position"][1] - centre["position"][1], o["position"][0] - centre["position"][0]) for o in a
        )
        gaps = [b2 - a2 for a2, b2 in zip(angles, angles[1:])] + [2 * math.pi - angles[-1] + angles[0]]
        near = all(0.04 < math.dist(_xy(o), _xy(centre)) < 0.2 for o in a)
        return None if near and len(a) >= 3 and max(gaps) < math.pi else f"{rel[1]} not around {rel[2]}"
    if kind == "on":
        bad = [
            o
            for o in a
            if not any(math.dist(_xy(o), _xy(r)) < 0.025 and o["position"][2] > r["position"][2] + 0.015 for r in b)
        ]
        return None if not bad else f"{len(bad)} {rel[1]} not on {rel[2]}"
    if kind == "in":
        bad = [o for o in a if not any(_inside(o, r) for r in b)]
        return None if not bad else f"{len(bad)} of {len(a)} {rel[1]} not in {rel[2]}"
    if kind == "not_in":
        bad = [o for o in a if any(_inside(o, r) for r in b)]
        return None if not bad else f"{len(bad)} {rel[1]} still in {rel[2]}"
    if kind == "each_in":
        counts = [sum(_inside(o, r) for o in a) for r in b]
        return None if all(c == rel[3] for c in counts) else f"per {rel[2]}: {counts}, expected {rel[3]} each"
    raise ValueError(f"unknown relation {rel!r}")


def _shape(objs: list[dict], shape: str) -> str | None:
    pts = [_xy(o) for o in objs]
    n = len(pts)
    cx, cy = sum(p[0] for p in pts) / n, sum(p[1] for p in pts) / n
    if shape == "line":
        # largest spread direction; every point within 1.5 cm of that line
        sxx = sum((x - cx) ** 2 for x, _ in pts)
        syy = sum((y - cy) ** 2 for _, y in pts)
        sxy = sum((x - cx) * (y - cy) for x, y in pts)
        theta = 0.5 * math.atan2(2 * sxy, sxx - syy)
        off = max(abs(-(x - cx) * math.sin(theta) + (y - cy) * math.cos(theta)) for x, y in pts)
        return None if off < 0.015 else f"{off:.3f} m off a straight line"
    if shape == "circle":
        radii = [math.dist(p, (cx, cy)) for p in pts]
        return None if max(radii) - min(radii) < 0.02 and n >= 3 else f"radii {min(radii):.3f}..{max(radii):.3f}"
    if shape == "square" and n == 4:
        d = sorted(math.dist(p, q) for i, p in enumerate(pts) for q in pts[i + 1 :])
        ok = d[3] - d[0] < 0.015 and d[5] - d[4] < 0.015 and abs(d[4] - d[0] * math.sqrt(2)) < 0.02
        return None if ok else f"distances {[round(x, 3) for x in d]} are not a square's"
    if shape in ("grid", "square"):
        # rotate by the direction between the two closest objects (the grid may be at any yaw), then
        # the objects must fall on few distinct rows and columns (1.5 cm tolerance)
        (p, q) = min(((p, q) for i, p in enumerate(pts) for q in pts[i + 1 :]), key=lambda pq: math.dist(*pq))
        t = math.atan2(q[1] - p[1], q[0] - p[0])
        rot = [
            ((x - cx) * math.cos(t) + (y - cy) * math.sin(t), -(x - cx) * math.sin(t) + (y - cy) * math.cos(t))
            for x, y in pts
        ]

        def levels(values):
            out = []
            for v in sorted(values):
                if not out or v - out[-1] > 0.015:
                    out.append(v)
            return len(out)

        rows, cols = levels(r[0] for r in rot), levels(r[1] for r in rot)
        return None if rows * cols <= n + min(rows, cols) else f"{rows} x {cols} positions for {n} objects"
    raise ValueError(f"unknown shape {shape!r}")


def run_idea(item: dict, seed: int) -> dict:
    """One labelled idea end to end -> {"idea", "category", "refused", "faithful", "notes", "success",
    "failed" [why each relation failed], "seconds", "error"}."""
    start = time.perf_counter()
    result = OfflineBackend().write_task(item["idea"])
    out = {
        "idea": item["idea"],
        "category": item["category"],
        "refuse": item.get("refuse", False),
        "refused": not isinstance(result, tuple),
        "faithful": None,
        "notes": [],
        "success": False,
        "failed": [],
        "error": None,
        "summary": "",
    }
    if out["refused"]:
        out["error"] = result.message[:200]
    else:
        code, spec = result
        u = spec["understanding"]
        out.update(faithful=u["faithful"], notes=u["notes"], summary=u["summary"])
        if not item.get("refuse"):
            verdict = run(code, RunSettings(episodes=1, seed=seed, video=False), stream_frames=False)
            out["success"] = bool(verdict["success"])
            scene = (verdict.get("scene") or [[]])[0]
            out["failed"] = [f for f in (check(r, scene) for r in item.get("relations", [])) if f]
            err = verdict.get("error")
            out["error"] = err and f"{err['type']}: {err['message'][:150]}"
    out["seconds"] = time.perf_counter() - start
    return out


def score(results: list[dict]) -> dict:
    """The printed figures from run_idea results."""
    supported = [r for r in results if not r["refuse"]]
    must_refuse = [r for r in results if r["refuse"]]
    refused = [r for r in results if r["refused"]]
    fs = [r for r in supported if not r["refused"] and r["faithful"] and r["success"] and not r["failed"]]
    honest = [
        r
        for r in supported
        if not r["refused"]
        and ((r["faithful"] and r["success"] and not r["failed"]) or (not r["faithful"] and r["notes"]))
    ]
    return {
        "supported": len(supported),
        "faithful_and_solved": len(fs),
        "honest": len(honest),
        "must_refuse": len(must_refuse),
        "refused_right": sum(r["refused"] for r in must_refuse),
        "refused": len(refused),
        "false_refusals": sum(r["refused"] for r in supported),
        "median_s": statistics.median(r["seconds"] for r in results) if results else 0.0,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ideas", default=str(ROOT / "tests/data/ideas_labelled.jsonl"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2000)
    ap.add_argument("--only", default=None, help="run one category")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args(argv)
    items = [i for i in load(args.ideas) if args.only in (None, i["category"])]
    items = items[: args.limit] if args.limit else items
    print(f"config: ideas={args.ideas} ({len(items)}) workers={args.workers} seed={args.seed}, one episode each")
    print(
        f"versions: python {platform.python_version()}, pybullet API {pybullet.getAPIVersion()}; "
        f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} CPUs",
        flush=True,
    )
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        results = list(pool.map(lambda kv: run_idea(kv[1], args.seed + kv[0]), enumerate(items)))
    for r in results:
        if r["refuse"] or r["refused"]:
            status = "ok  " if r["refuse"] == r["refused"] else "FAIL"
            print(f"{status} refuse={r['refuse']} refused={r['refused']} {r['idea']!r} {r['error'] or r['summary']}")
            continue
        good = r["faithful"] and r["success"] and not r["failed"]
        status = "ok  " if good else "note" if not r["faithful"] and r["notes"] else "FAIL"
        print(
            f"{status} {r['seconds']:5.1f}s [{r['category']}] {r['idea']!r} -> {r['summary']!r} "
            f"success={r['success']} notes={r['notes']} failed={r['failed']} {r['error'] or ''}"
        )
    s = score(results)
    pct = lambda a, b: f"{a}/{b} = {a / b:.1%}" if b else "n/a"  # noqa: E731
    print(f"faithful-and-solved: {pct(s['faithful_and_solved'], s['supported'])}")
    print(f"honest: {pct(s['honest'], s['supported'])}")
    print(
        f"refusal recall: {pct(s['refused_right'], s['must_refuse'])}; precision: "
        f"{pct(s['refused_right'], s['refused'])}; false refusals: {s['false_refusals']}"
    )
    print(f"median seconds per idea: {s['median_s']:.1f}; wall {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
