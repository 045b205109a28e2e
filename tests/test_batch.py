"""sim.batch: results in order, failures and worker deaths contained, one retry, resume; local and Ray.

The unit functions below are imported by name in the worker processes (spawned, or Ray workers),
which inherit this process's sys.path.
"""

import json
import os
from pathlib import Path

import pytest

from sim import batch

HERE = __name__


def square(x):
    return x * x


def boom(message):
    raise ValueError(message)


def die_once(marker):
    """Kill the worker process the first time (marker absent), succeed the second time."""
    if not os.path.exists(marker):
        Path(marker).write_text("died")
        os._exit(7)
    return "survived"


def die_always():
    os._exit(9)


def count_call(log, x):
    with open(log, "a") as fh:
        fh.write(f"{x}\n")
    return x + 1


def _units(tmp_path):
    return [
        batch.Unit(key="sq-3", fn=f"{HERE}:square", kwargs={"x": 3}),
        batch.Unit(key="boom", fn=f"{HERE}:boom", kwargs={"message": "bad unit"}),
        batch.Unit(key="die-once", fn=f"{HERE}:die_once", kwargs={"marker": str(tmp_path / "m")}),
        batch.Unit(key="die-always", fn=f"{HERE}:die_always", kwargs={}),
        batch.Unit(key="missing", fn="no_such_module_xyz:f", kwargs={}),
        batch.Unit(key="sq-4", fn=f"{HERE}:square", kwargs={"x": 4}, meta={"n": 4}),
    ]


def _check_contained(records):
    by = {r["key"]: r for r in records}
    assert [r["key"] for r in records] == ["sq-3", "boom", "die-once", "die-always", "missing", "sq-4"]
    assert by["sq-3"]["status"] == "done" and by["sq-3"]["result"] == 9 and by["sq-3"]["attempts"] == 1
    assert by["sq-4"]["result"] == 16 and by["sq-4"]["meta"] == {"n": 4}
    assert by["boom"]["status"] == "failed" and by["boom"]["error"] == "ValueError: bad unit"
    assert "raise ValueError" in by["boom"]["traceback"] and by["boom"]["attempts"] == 1
    assert by["die-once"]["status"] == "done" and by["die-once"]["result"] == "survived"
    assert by["die-once"]["attempts"] == 2
    assert by["die-always"]["status"] == "failed" and by["die-always"]["attempts"] == 2
    assert by["die-always"]["error"].startswith("worker died twice")
    assert by["missing"]["status"] == "failed" and "ModuleNotFoundError" in by["missing"]["error"]


def test_local_pool_contains_failures_and_retries_a_dead_worker_once(tmp_path):
    journal = batch.JsonlJournal(tmp_path / "j.jsonl")
    seen = []
    records = batch.run_units(
        _units(tmp_path),
        engine=batch.LocalEngine(2),
        journal=journal,
        progress=False,
        on_record=lambda r: seen.append(r["key"]),
    )
    _check_contained(records)
    assert sorted(seen) == sorted(r["key"] for r in records)  # each reported as it finished
    lines = [json.loads(x) for x in (tmp_path / "j.jsonl").read_text().splitlines()]
    assert sorted(x["key"] for x in lines) == sorted(seen)
    assert "exited with code 9" in {x["key"]: x for x in lines}["die-always"]["error"]


def test_resume_skips_done_units_and_reruns_failed_ones(tmp_path):
    log = tmp_path / "calls.txt"
    units = [batch.Unit(key=f"u{i}", fn=f"{HERE}:count_call", kwargs={"log": str(log), "x": i}) for i in range(4)] + [
        batch.Unit(key="bad", fn=f"{HERE}:boom", kwargs={"message": "x"})
    ]
    journal = batch.JsonlJournal(tmp_path / "j.jsonl")
    first = batch.run_units(units[:2] + units[4:], engine=batch.LocalEngine(2), journal=journal, progress=False)
    assert [r["status"] for r in first] == ["done", "done", "failed"]
    with open(tmp_path / "j.jsonl", "a") as fh:
        fh.write('{"key": "u3", "status": "do')  # a torn line from a killed run
    again = batch.run_units(units, engine=batch.LocalEngine(2), journal=journal, progress=False)
    assert [r["result"] for r in again[:4]] == [1, 2, 3, 4]
    assert sorted(log.read_text().split()) == ["0", "1", "2", "3"]  # u0, u1 ran only once
    assert again[4]["status"] == "failed"
    lines = (tmp_path / "j.jsonl").read_text().splitlines()
    assert lines[3] == '{"key": "u3", "status": "do'  # the torn line is left alone
    keys = [json.loads(x)["key"] for x in lines[:3] + lines[4:]]
    assert sorted(keys) == ["bad", "bad", "u0", "u1", "u2", "u3"]


def test_duplicate_keys_refused():
    unit = batch.Unit(key="same", fn=f"{HERE}:square", kwargs={"x": 1})
    with pytest.raises(ValueError, match="unique"):
        batch.run_units([unit, unit], engine=batch.LocalEngine(1), progress=False)


def test_call_unit_reports_errors_as_data():
    assert batch.call_unit(f"{HERE}:square", {"x": 5}) == ("ok", 25)
    status, message, tb = batch.call_unit(f"{HERE}:boom", {"message": "m"})
    assert (status, message) == ("error", "ValueError: m") and "Traceback" in tb
    assert batch.call_unit("nocolon", {})[0] == "error"


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


def test_ray_engine_gives_the_same_records(tmp_path, ray_local):
    records = batch.run_units(_units(tmp_path), engine=batch.RayEngine(), progress=False)
    _check_contained(records)
    assert "Ray" in batch.RayEngine().describe()


def test_connect_ray_reports_missing_ray(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("no ray")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(RuntimeError, match="requirements-ray.txt"):
        batch.connect_ray("auto")
