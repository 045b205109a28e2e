"""python benchmarks/offline_quality.py [--ideas tests/data/ideas.txt] [--episodes 2] [--workers 2] [--seed 1000]

Quality of the offline rule-based generator: every idea of the file is turned into task code and run
in the sandbox (`sim.sandbox.run`, no video) with distinct seeds. Prints, per idea, pass/fail, the
episode rewards and what the task lacked compared with the idea's expectations; then the
pass-and-match rate (success stage passed AND every named object/colour/count present) and the median
and 90th-percentile latency from idea to verdict, with the config, versions and machine.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from serving.offline.quality import evaluate, load_ideas  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ideas", default=str(Path(__file__).resolve().parents[1] / "tests/data/ideas.txt"))
    ap.add_argument("--episodes", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1000)
    args = ap.parse_args(argv)
    if args.episodes < 1 or args.workers < 1:
        ap.error("--episodes and --workers must be >= 1")
    import pybullet
    ideas = load_ideas(args.ideas)
    print(f"config: ideas={args.ideas} ({len(ideas)}) episodes={args.episodes} workers={args.workers} "
          f"seed={args.seed}")
    print(f"versions: python {platform.python_version()}, pybullet API {pybullet.getAPIVersion()}; "
          f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} CPUs")
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
    print(f"latency idea->verdict: median {statistics.median(lat):.1f} s, "
          f"p90 {lat[int(0.9 * (len(lat) - 1))]:.1f} s; wall {wall:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
