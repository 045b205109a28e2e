"""python -m sim.sweep: tasks x seeds -> per-episode CSV; resume; a broken task does not stop it;
the same rows with the local pool and with --ray auto."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from sim import sweep

ROOT = Path(__file__).resolve().parents[1]
ORIGINAL = ROOT / "tests" / "data" / "original_style"
SAME = ("task", "seed", "success", "reward", "steps", "stage_reached", "error", "status", "key")


def _sweep(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "sim.sweep", *map(str, args), "--no-progress"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _rows(path):
    with open(path, newline="") as fh:
        return sorted(({k: r[k] for k in SAME} for r in csv.DictReader(fh)), key=lambda r: (r["task"], int(r["seed"])))


def test_parse_seeds():
    assert sweep.parse_seeds("2:5") == range(2, 5)
    assert sweep.parse_seeds("7") == range(7, 8)
    for bad in ("5:5", "a:b", "1:x", ""):
        with pytest.raises(ValueError):
            sweep.parse_seeds(bad)


def test_units_cover_each_seed_once_whatever_the_episodes_per_run(tmp_path):
    tasks = {"blue-block-in-red-zone": ORIGINAL / "blue_block_in_red_zone.py"}
    for n in (1, 2, 3):
        units = sweep.make_units(tasks, range(0, 5), n)
        seeds = [s for u in units for s in range(u.kwargs["seed"], u.kwargs["seed"] + u.kwargs["episodes"])]
        assert seeds == [0, 1, 2, 3, 4]
        assert len({u.key for u in units}) == len(units)


def test_sweep_writes_rows_resumes_and_survives_a_broken_task(tmp_path):
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "blue_block_in_red_zone.py").write_text((ORIGINAL / "blue_block_in_red_zone.py").read_text())
    (tasks / "broken_task.py").write_text("class BrokenTask(Task:\n    pass\n")
    out = tmp_path / "results.csv"
    first = _sweep(tasks, "place-red-in-green", "--seeds", "0:2", "--out", out, "--workers", "2")
    assert first.returncode == 0, first.stderr
    rows = _rows(out)
    assert [(r["task"], r["seed"]) for r in rows] == [
        ("blue-block-in-red-zone", "0"),
        ("blue-block-in-red-zone", "1"),
        ("broken-task", "0"),
        ("broken-task", "1"),
        ("place-red-in-green", "0"),
        ("place-red-in-green", "1"),
    ]
    ok = [r for r in rows if r["task"] != "broken-task"]
    assert all(r["success"] == "True" and r["status"] == "done" and r["error"] == "" for r in ok)
    broken = [r for r in rows if r["task"] == "broken-task"]
    assert all(
        r["success"] == "False" and r["stage_reached"] == "syntax" and "SyntaxError" in r["error"] for r in broken
    )
    summary = {r["task"]: r for r in csv.DictReader(open(tmp_path / "results_summary.csv"))}
    assert summary["place-red-in-green"]["successes"] == "2" and summary["broken-task"]["successes"] == "0"
    assert "success 2/2" in first.stdout and "6 units" in first.stdout

    # Re-run with one more seed: only the new units run, the old rows stay as they were.
    again = _sweep(tasks, "place-red-in-green", "--seeds", "0:3", "--out", out, "--workers", "2")
    assert again.returncode == 0, again.stderr
    assert "3 run, 6 reused" in again.stdout
    rows2 = _rows(out)
    assert len(rows2) == 9 and [r for r in rows2 if r["seed"] != "2"] == rows


def test_bad_arguments_exit_2(tmp_path):
    assert _sweep("no-such-task", "--seeds", "0:1", "--out", tmp_path / "x.csv").returncode == 2
    bad = _sweep("place-red-in-green", "--seeds", "3:1", "--out", tmp_path / "x.csv")
    assert bad.returncode == 2 and "no seed" in bad.stderr


def test_local_pool_and_ray_auto_give_identical_rows(tmp_path):
    pytest.importorskip("ray")
    args = [ORIGINAL / "two_blocks_in_bowls.py", "put-block-in-bowl", "--seeds", "0:3"]
    local = _sweep(*args, "--out", tmp_path / "local.csv", "--workers", "2")
    assert local.returncode == 0, local.stderr
    on_ray = _sweep(*args, "--out", tmp_path / "ray.csv", "--workers", "2", "--ray", "auto")
    assert on_ray.returncode == 0, on_ray.stderr
    assert "ray: " in on_ray.stderr and "Ray" in on_ray.stdout
    assert _rows(tmp_path / "local.csv") == _rows(tmp_path / "ray.csv")
    assert len(_rows(tmp_path / "ray.csv")) == 6


def test_cancelled_sweep_keeps_finished_rows_and_resumes(tmp_path):
    """SIGINT once the first unit's row is written: exit 130, the row stays, the same command
    finishes the rest without re-running it."""
    import signal
    import time

    out = tmp_path / "results.csv"
    args = [
        sys.executable,
        "-m",
        "sim.sweep",
        "place-red-in-green",
        "--seeds",
        "0:6",
        "--out",
        str(out),
        "--workers",
        "1",
        "--no-progress",
    ]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and len(out.read_text().splitlines()) >= 2:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "the same command resumes" in err
    done_before = len(_rows(out))
    assert 1 <= done_before < 6
    again = _sweep("place-red-in-green", "--seeds", "0:6", "--out", out, "--workers", "2")
    assert again.returncode == 0, again.stderr
    assert f"{6 - done_before} run, {done_before} reused" in again.stdout
    assert [int(r["seed"]) for r in _rows(out)] == [0, 1, 2, 3, 4, 5]
