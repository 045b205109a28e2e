"""Run independent units of work (one sandbox run each) on a local process pool or on Ray.

    units = [Unit(key="stack|seed=0", fn="sim.sweep:run_unit", kwargs={...}), ...]
    records = run_units(units, engine=make_engine(workers=2), journal=JsonlJournal("out.jsonl"))

A unit names a module-level function ("package.module:function") and its keyword arguments; the
function is imported and called where the unit runs (a worker process of this machine, or a Ray
worker anywhere on a cluster), so units carry only data. Each finished unit becomes a record
{"key", "meta", "status": "done" | "failed", "result", "error", "traceback", "attempts",
"seconds"}, passed to the journal as soon as it finishes. "done": the function returned (its result
may still say the task failed); "failed": it raised (error "Type: message"), or its worker process
died twice (a unit whose worker dies is retried once). A failing unit never stops the batch. With
a journal, units whose key is already recorded as done are skipped (resume).

Engines: `LocalEngine` (default; N spawned worker processes, one unit at a time each, so a worker's
death is charged to exactly the unit it was running) and `RayEngine` (`ray.init(address=...)`;
each unit a Ray task declaring its CPUs and memory). Ray is optional (requirements-ray.txt).
The sandbox isolates the task code inside each unit on either engine.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from tqdm import tqdm

GIB = 1 << 30

# Declared to Ray per unit. Measured with `python -m benchmarks.batch_overhead` (place-red-in-green): peak
# resident memory 126 MiB for a Ray worker (34 MiB for a local one) plus 112 MiB for its sandbox
# child; 1 GiB leaves room for larger scenes (not measured) without starving the scheduler.
DEFAULT_MEMORY_BYTES = 1 * GIB


@dataclasses.dataclass(frozen=True)
class Unit:
    """One independent piece of work.

    key: stable, unique id (journal and resume use it; include whatever changes the outcome, such as
      a hash of the task code). fn: "package.module:function", importable where the unit runs.
    kwargs: picklable keyword arguments of fn. num_cpus / memory_bytes: what one unit needs, declared
      to Ray's scheduler (the local pool runs one unit per worker). meta: small JSON-able facts
      about the unit (task name, seeds, ...), copied into its record.
    """

    key: str
    fn: str
    kwargs: dict
    num_cpus: float = 1.0
    memory_bytes: int = DEFAULT_MEMORY_BYTES
    meta: dict = dataclasses.field(default_factory=dict)


def call_unit(fn: str, kwargs: dict) -> tuple:
    """Import and call `fn(**kwargs)` in the current process (what every engine runs per unit).

    Returns ("ok", value) or ("error", "Type: message", traceback text): an exception (SystemExit
    included) is reported, never raised, so it needs no pickling and stops nothing.
    """
    try:
        module_name, func_name = fn.split(":")
        func = getattr(importlib.import_module(module_name), func_name)
        return ("ok", func(**kwargs))
    except (Exception, SystemExit) as exc:  # a unit's failure is data, not a crash
        return ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=20))


# -- journals ---------------------------------------------------------------------------------
class Journal(Protocol):
    """Where records go as units finish, and where resume finds the done ones."""

    def done(self) -> dict[str, dict]: ...
    def write(self, record: dict) -> None: ...


class JsonlJournal:
    """One JSON record per line in `path` (appended and flushed per record, so a killed batch keeps
    everything that finished). A torn last line (the process died mid-write) is ignored."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def done(self) -> dict[str, dict]:
        """Records with status "done" by key (the last one wins); {} when the file is absent."""
        out = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return out
        for line in lines:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict) and rec.get("status") == "done" and "key" in rec:
                out[rec["key"]] = rec
        return out

    def write(self, record: dict) -> None:
        """Append `record` as one JSON line (non-JSON values via str), after a newline when the file
        ends in a torn line."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab+") as fh:
            torn = False
            if fh.seek(0, os.SEEK_END) > 0:
                fh.seek(-1, os.SEEK_END)
                torn = fh.read(1) != b"\n"
            fh.write((b"\n" if torn else b"") + json.dumps(record, default=str).encode() + b"\n")


# -- engines ------------------------------------------------------------------------------------
def _worker_main(conn) -> None:
    """Loop of a local worker process: receive (fn, kwargs), send call_unit's answer; None ends it.

    The worker's stdout goes to stderr: results travel over the pipe, and what units or imported
    libraries print must not mix into the caller's stdout (which may carry one JSON document)."""
    sys.stdout.flush()
    os.dup2(2, 1)
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        conn.send(call_unit(*msg))


class LocalEngine:
    """`workers` spawned processes (default: the CPU count), each running one unit at a time.

    Spawned (not forked) so a worker never inherits the caller's threads or locks; a worker that
    dies is replaced, and the unit it held is reported as died.
    """

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = max(1, int(workers or os.cpu_count() or 1))
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: list = []
        self._busy: dict = {}  # connection -> (process, token)

    def describe(self) -> str:
        return f"local pool of {self.workers} worker processes"

    def capacity(self) -> int:
        return self.workers

    def _start_worker(self):
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, args=(child,), daemon=True)
        proc.start()
        child.close()
        return proc, parent

    def submit(self, token, unit: Unit) -> None:
        proc, conn = self._idle.pop() if self._idle else self._start_worker()
        try:
            conn.send((unit.fn, unit.kwargs))
        except (BrokenPipeError, OSError):  # died while idle: start a fresh one
            proc, conn = self._start_worker()
            conn.send((unit.fn, unit.kwargs))
        self._busy[conn] = (proc, token)

    def next_done(self):
        """Block until a unit finishes: (token, ("ok", v) | ("error", msg, tb) | ("died", msg))."""
        conn = multiprocessing.connection.wait(list(self._busy))[0]
        proc, token = self._busy.pop(conn)
        try:
            answer = conn.recv()
        except (EOFError, OSError):
            proc.join(timeout=5)
            conn.close()
            return token, ("died", f"worker process exited with code {proc.exitcode}")
        self._idle.append((proc, conn))
        return token, answer

    def close(self) -> None:
        """Stop idle workers (they dispose of their spare sandbox child on exit); kill busy ones
        (the batch was interrupted)."""
        for _, conn in self._idle:
            try:
                conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        for proc, _ in self._busy.values():
            proc.kill()
        for proc, conn in self._idle + [(p, c) for c, (p, _) in self._busy.items()]:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
                proc.join()
            conn.close()
        self._idle, self._busy = [], {}


def connect_ray(address: str, num_cpus: int | None = None) -> str:
    """Start or join Ray; returns what happened, in words.

    address "auto": join the cluster running on this machine (`ray start --head`), else start a
    local Ray instance with `num_cpus` CPUs (default: all). Any other value is passed to
    `ray.init(address=...)`, e.g. "ray://head:10001" or "10.0.0.5:6379". Raises RuntimeError when
    ray is not installed (`pip install -r requirements-ray.txt`), ConnectionError when the address
    cannot be reached.
    """
    try:
        import ray  # optional (requirements-ray.txt) and slow to import: only for --ray
    except ImportError:
        raise RuntimeError("--ray needs the ray package: pip install -r requirements-ray.txt") from None
    if ray.is_initialized():
        return f"Ray already initialised ({ray.cluster_resources().get('CPU', 0):g} CPUs)"
    # Workers' prints stay in Ray's log files: results come back as values, and the caller's
    # stdout may carry one JSON document.
    quiet = {"logging_level": "WARNING", "include_dashboard": False, "log_to_driver": False}
    if address == "auto":
        try:
            ray.init(address="auto", **quiet)
            return f"joined the Ray cluster on this machine ({ray.cluster_resources().get('CPU', 0):g} CPUs)"
        except ConnectionError:
            ray.init(num_cpus=num_cpus, **quiet)
            return f"started a local Ray instance ({ray.cluster_resources().get('CPU', 0):g} CPUs)"
    ray.init(address=address, **quiet)
    return f"joined the Ray cluster at {address} ({ray.cluster_resources().get('CPU', 0):g} CPUs)"


def _ray_call(fn: str, kwargs: dict, paths: list[str]) -> tuple:
    """call_unit in a Ray worker, after appending the driver's import paths that exist here (a
    local Ray's workers do not inherit them; on a cluster whose nodes carry the repo at the same
    path, they resolve the same way)."""
    sys.path.extend(p for p in paths if p not in sys.path and os.path.isdir(p))
    return call_unit(fn, kwargs)


class RayEngine:
    """Each unit a Ray task (`num_cpus`, `memory` declared; no Ray-side retries: run_units retries a
    died worker once, like the local engine). Call `connect_ray` first (or `ray.init`)."""

    name = "ray"

    def __init__(self):
        import ray  # optional (requirements-ray.txt): connect_ray said so already when it is missing

        self._ray = ray
        self._remote = ray.remote(_ray_call)
        self._paths = [os.path.abspath(p or os.curdir) for p in sys.path]
        self._pending: dict = {}  # ObjectRef -> token

    def describe(self) -> str:
        return f"Ray ({self._ray.cluster_resources().get('CPU', 0):g} CPUs)"

    def capacity(self) -> int:
        return 1 << 30  # Ray queues and schedules by the declared resources

    def submit(self, token, unit: Unit) -> None:
        ref = self._remote.options(
            num_cpus=unit.num_cpus, memory=unit.memory_bytes, max_retries=0, name=unit.key[:100]
        ).remote(unit.fn, unit.kwargs, self._paths)
        self._pending[ref] = token

    def next_done(self):
        ready, _ = self._ray.wait(list(self._pending), num_returns=1)
        token = self._pending.pop(ready[0])
        try:
            return token, self._ray.get(ready[0])
        except self._ray.exceptions.RayError as exc:  # worker or node died, object lost, OOM kill
            return token, ("died", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")

    def close(self) -> None:
        self._pending = {}


def make_engine(workers: int | None = None, ray_address: str | None = None):
    """LocalEngine(workers), or a RayEngine after `connect_ray(ray_address, workers)` when
    `ray_address` is given ("auto" or an address). Prints what Ray did on stderr."""
    if ray_address:
        print(f"ray: {connect_ray(ray_address, workers)}", file=sys.stderr, flush=True)
        return RayEngine()
    return LocalEngine(workers)


def add_engine_args(parser) -> None:
    """Add --workers N and --ray [auto|ADDRESS] to an argparse parser (see make_engine)."""
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="parallel units: local worker processes, or the CPUs of a local Ray (default: the CPU count)",
    )
    parser.add_argument(
        "--ray",
        nargs="?",
        const="auto",
        default=None,
        metavar="auto|ADDRESS",
        help="run the units on Ray: 'auto' joins the cluster on this machine or "
        "starts a local one; ADDRESS joins that cluster",
    )


# -- the driver -------------------------------------------------------------------------------------
def run_units(
    units: Iterable[Unit],
    *,
    engine,
    journal: Journal | None = None,
    progress: bool = True,
    desc: str = "units",
    on_record=None,
) -> list[dict]:
    """Run every unit on `engine`; return their records in the order of `units`.

    Records of units already done in `journal` are reused, not re-run. Each new record is written to
    the journal and passed to `on_record(record)` as soon as its unit finishes. A unit whose worker
    died is submitted once more; a second death makes it "failed". The engine is closed at the end.
    Raises ValueError for duplicate keys.
    """
    units = list(units)
    keys = [u.key for u in units]
    if len(set(keys)) != len(keys):
        raise ValueError("unit keys must be unique")
    previous = journal.done() if journal is not None else {}
    records = {k: previous[k] for k in keys if k in previous}
    todo = [i for i, u in enumerate(units) if u.key not in records]
    bar = _progress(len(units), len(records), desc, progress)
    failed, in_flight, attempts, started = 0, 0, {}, {}
    queue = list(reversed(todo))
    try:
        while queue or in_flight:
            while queue and in_flight < engine.capacity():
                i = queue.pop()
                attempts[i], started[i] = 1, time.monotonic()
                engine.submit(i, units[i])
                in_flight += 1
            i, answer = engine.next_done()
            if answer[0] == "died" and attempts[i] < 2:
                attempts[i] += 1
                engine.submit(i, units[i])
                continue
            in_flight -= 1
            rec = {
                "key": units[i].key,
                "meta": units[i].meta,
                "status": "done" if answer[0] == "ok" else "failed",
                "result": answer[1] if answer[0] == "ok" else None,
                "error": None
                if answer[0] == "ok"
                else (answer[1] if answer[0] == "error" else f"worker died twice: {answer[1]}"),
                "traceback": answer[2] if answer[0] == "error" else None,
                "attempts": attempts[i],
                "seconds": round(time.monotonic() - started[i], 2),
            }
            records[units[i].key] = rec
            failed += rec["status"] == "failed"
            if journal is not None:
                journal.write(rec)
            if on_record is not None:
                on_record(rec)
            if bar is not None:
                bar.set_postfix(failed=failed, refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        engine.close()
    return [records[k] for k in keys]


def _progress(total: int, initial: int, desc: str, enabled: bool):
    """A tqdm bar on stderr (done/total, failed, elapsed and ETA), or None."""
    if not enabled:
        return None
    return tqdm(
        total=total, initial=initial, desc=desc, unit="unit", file=sys.stderr, dynamic_ncols=True, smoothing=0.1
    )
