"""Usage: python -m benchmarks.batch_overhead [--workers 2] [--noop 200] [--task place-red-in-green] [--units 8]

What `sim.batch` costs on this machine, local process pool against a local Ray (needs ray; skipped
with a note when absent):
  1. start: seconds until the first no-op unit has come back (worker spawn / ray.init + worker);
  2. dispatch: seconds per no-op unit over --noop units (`os:getpid`), pool warm;
  3. real units: wall time of --units sandbox runs of one oracle episode of --task (the sweep's
     unit), against the same runs one after another in this process's sandbox (no executor);
  4. memory: peak resident memory of a worker process and of its sandbox child during one real
     unit (what `sim.batch.DEFAULT_MEMORY_BYTES`, declared to Ray, must cover).
Prints the figures with the machine and versions. Not a test: numbers vary with load.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import threading
import time
from pathlib import Path

from sim import batch, sweep
from sim.sandbox import run
from sim.settings import RunSettings

MODULE = "benchmarks.batch_overhead"


def _rss_mib(pid: int) -> float:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _descendants(root: int) -> list[int]:
    parent = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [root]
    while frontier:
        kids = [p for p, pp in parent.items() if pp in frontier]
        found += kids
        frontier = kids
    return found


def measured_unit(**kwargs) -> dict:
    """sweep.run_unit, plus the peak resident memory (MiB) of this worker and of its largest
    descendant (the sandbox child), sampled from /proc every 50 ms while the unit runs."""
    peaks, stop = {"worker": 0.0, "child": 0.0}, threading.Event()

    def sample():
        while not stop.wait(0.05):
            peaks["worker"] = max(peaks["worker"], _rss_mib(os.getpid()))
            peaks["child"] = max([peaks["child"], *map(_rss_mib, _descendants(os.getpid()))])

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        result = sweep.run_unit(**kwargs)
    finally:
        stop.set()
        thread.join()
    return {"rows": result["rows"], "worker_mib": peaks["worker"], "child_mib": peaks["child"]}


def _noop_units(n: int, tag: str) -> list[batch.Unit]:
    return [batch.Unit(key=f"{tag}-{i}", fn="os:getpid", kwargs={}) for i in range(n)]


def _real_units(task: str, n: int, fn: str = "sim.sweep:run_unit") -> list[batch.Unit]:
    units = sweep.make_units(sweep.resolve_tasks([task]), range(0, n), 1)
    return [batch.Unit(key=u.key, fn=fn, kwargs=u.kwargs, meta=u.meta) for u in units]


def measure(make_engine, args) -> dict:
    """Figures of one engine; a fresh engine for each phase so start-up is counted once, in 1."""
    t0 = time.perf_counter()
    batch.run_units(_noop_units(1, "first"), engine=make_engine(), progress=False)
    start = time.perf_counter() - t0
    engine = make_engine()
    batch.run_units(_noop_units(args.workers, "warm"), engine=_Keep(engine), progress=False)
    t0 = time.perf_counter()
    recs = batch.run_units(_noop_units(args.noop, "noop"), engine=_Keep(engine), progress=False)
    dispatch = (time.perf_counter() - t0) / args.noop
    assert all(r["status"] == "done" for r in recs)
    t0 = time.perf_counter()
    recs = batch.run_units(_real_units(args.task, args.units, f"{MODULE}:measured_unit"), engine=engine, progress=False)
    real = time.perf_counter() - t0
    ok = sum(row["success"] for r in recs if r["status"] == "done" for row in r["result"]["rows"])
    return {
        "start": start,
        "dispatch": dispatch,
        "real": real,
        "ok": ok,
        "worker_mib": max(r["result"]["worker_mib"] for r in recs if r["status"] == "done"),
        "child_mib": max(r["result"]["child_mib"] for r in recs if r["status"] == "done"),
    }


class _Keep:
    """An engine whose close() is deferred, so consecutive batches reuse warm workers."""

    def __init__(self, engine):
        self.engine = engine

    def __getattr__(self, name):
        return getattr(self.engine, name)

    def close(self):
        pass


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--noop", type=int, default=200)
    ap.add_argument("--task", default="place-red-in-green")
    ap.add_argument("--units", type=int, default=8)
    args = ap.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")

    source = sweep.resolve_tasks([args.task])[args.task].read_text()
    t0 = time.perf_counter()
    for seed in range(args.units):
        run(source, RunSettings(episodes=1, seed=seed, video=False))
    serial = time.perf_counter() - t0
    print(
        f"baseline: {args.units} x 1 episode of {args.task} one after another in this process's sandbox: {serial:.1f} s"
    )

    figures = {"local": measure(lambda: batch.LocalEngine(args.workers), args)}
    try:
        import ray  # optional (requirements-ray.txt): the comparison is skipped without it
    except ImportError:
        print("ray not installed: pip install -r requirements-ray.txt to compare")
    else:
        t0 = time.perf_counter()
        ray.init(num_cpus=args.workers, include_dashboard=False, logging_level="ERROR")
        print(f"ray.init (local, {args.workers} CPUs): {time.perf_counter() - t0:.1f} s, ray {ray.__version__}")
        figures["ray"] = measure(batch.RayEngine, args)
        ray.shutdown()
    print(
        f"{'engine':8s} {'first unit s':>12s} {'per no-op unit ms':>18s} "
        f"{args.units} real units s  speed-up vs serial  successes  worker/child peak MiB"
    )
    for name, f in figures.items():
        print(
            f"{name:8s} {f['start']:12.2f} {f['dispatch'] * 1000:18.2f} {f['real']:14.1f} "
            f"{serial / f['real']:18.2f}x  {f['ok']:>5d}/{args.units}  {f['worker_mib']:.0f}/{f['child_mib']:.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
