"""policy.record -> parquet shards + card -> datasets.load_dataset, on two episodes of a base task;
the same dataset on 1 or 2 workers and on Ray; runs that fail are reported and the others recorded."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from policy import dataset, record
from sim import batch

pytest.importorskip("datasets")


def test_split_seeds_are_disjoint():
    take = lambda split, n: list(__import__("itertools").islice(record.split_seeds(split), n))  # noqa: E731
    assert take("train", 3) == [0, 2, 4]
    assert take("val", 3) == [1, 3, 5]
    assert take("test", 2) == [10001, 10003]
    assert max(record.split_seeds("val")) < 10001
    with pytest.raises(ValueError):
        record.split_seeds("dev")


def test_record_load_and_resume(tmp_path):
    import datasets

    out = tmp_path / "demos"
    stats = record.record(["place-red-in-green"], 2, "train", out, progress=False)
    assert stats["kept"] == 2 and stats["attempted"] >= 2

    ds = datasets.load_dataset(str(out))
    train = ds["train"].with_format("numpy")
    assert set(ds) == {"train"} and len(train) == stats["steps"] >= 2
    row = train[0]
    assert row["colour"].shape == (320, 160, 3) and row["colour"].dtype == np.uint8
    assert row["height"].shape == (320, 160) and row["height"].dtype == np.float32
    assert row["task"] == "place-red-in-green" and row["lang_goal"].startswith("put the red")
    assert set(ds["train"]["seed"]) == {0, 2} and all(ds["train"]["episode_success"])
    # The observation lines up with the action: the oracle picks on top of a 4 cm block.
    for r in train:
        x, y, _ = r["pick_position"]
        u, v = round((y + 0.5) / 0.003125), round((x - 0.25) / 0.003125)
        assert 0.025 < r["height"][u, v] < 0.06
        assert np.isclose(np.linalg.norm(r["place_rotation"]), 1, atol=1e-4)

    header = (out / "README.md").read_text().split("---")[1]
    assert "place-red-in-green" in header and "episodes: 2" in header and "pybullet" in header
    assert all(a["kept"] for a in dataset.read_attempts(out))

    # Resume: the two seeds are not re-run; one more demo takes the next train seed.
    stats = record.record(["place-red-in-green"], 3, "train", out, progress=False)
    assert stats["kept"] == 1
    seeds = [json.loads(line)["seed"] for line in (out / "attempts.jsonl").read_text().splitlines()]
    assert seeds[:2] == [0, 2] and len(seeds) == len(set(seeds))
    assert datasets.load_dataset(str(out))["train"].num_rows >= 3


def _record(out, workers, tasks=("place-red-in-green",), episodes=2):
    """A small recording on a local pool of `workers` (orthographic maps: the cheap observation)."""
    return record.record(
        list(tasks),
        episodes,
        "train",
        out,
        observation="orthographic",
        progress=False,
        engine=batch.LocalEngine(workers),
    )


def _contents(out):
    """Shard names and rows (every column), and the attempts without their timings."""
    import pyarrow.parquet as pq

    shards = {f.name: pq.read_table(f).to_pylist() for f in dataset.shard_files(out)}
    attempts = [{k: v for k, v in a.items() if k != "seconds"} for a in dataset.read_attempts(out)]
    return shards, attempts


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory):
    out = tmp_path_factory.mktemp("one-worker")
    return out, _record(out, workers=1)


def test_one_and_two_workers_record_the_same_dataset(one_worker, tmp_path):
    out1, stats1 = one_worker
    stats2 = _record(tmp_path, workers=2)
    assert stats1["kept"] == stats2["kept"] == 2 and stats1["steps"] == stats2["steps"] > 0
    shards, attempts = _contents(out1)
    assert _contents(tmp_path) == (shards, attempts)
    assert [a["seed"] for a in attempts] == [0, 2]
    rows = next(iter(shards.values()))
    assert sorted({r["seed"] for r in rows}) == [0, 2] and all(r["episode_success"] for r in rows)


def test_runs_that_fail_are_reported_and_the_others_recorded(tmp_path, capsys):
    broken = tmp_path / "broken_task.py"
    broken.write_text("class BrokenTask(Task:\n    pass\n")
    oversized = tmp_path / "oversized_task.py"  # the sandbox refuses it: its unit raises
    oversized.write_text("#" * (1 << 20) + "\n")
    out = tmp_path / "demos"
    stats = _record(out, workers=2, tasks=(broken, oversized, "place-red-in-green"), episodes=1)
    assert stats["kept"] == 1
    # The oversized task's units raised 3 times (its 3 x N attempts), never logged: a resume retries.
    assert stats["failed"] == 3 and stats["attempted"] == 1 + 3 + 1
    attempts = dataset.read_attempts(out)
    by_task = {
        t: [a for a in attempts if a["task"] == t] for t in ("broken-task", "oversized-task", "place-red-in-green")
    }
    # Code that does not parse fails whatever the seed: one attempt, logged with its error.
    assert [(a["seed"], a["kept"], a["error"]) for a in by_task["broken-task"]] == [(0, False, "SyntaxError")]
    assert by_task["oversized-task"] == []
    assert [(a["seed"], a["kept"]) for a in by_task["place-red-in-green"]] == [(0, True)]
    err = capsys.readouterr().err
    assert "broken-task: seed 0: syntax: SyntaxError" in err
    assert "oversized-task: seed 0: did not run: ValueError" in err and "oversized-task: 0 of 1 demos" in err
    assert dataset.summary(out)["train"]["place-red-in-green"]["episodes"] == 1


def test_ray_auto_records_what_the_local_pool_records(one_worker, tmp_path):
    pytest.importorskip("ray")
    out1, _ = one_worker
    root = Path(__file__).resolve().parents[1]
    args = ["place-red-in-green", "--episodes", "2", "--out", tmp_path, "--observation", "orthographic"]
    proc = subprocess.run(
        [sys.executable, "-m", "policy.record", *map(str, args), "--workers", "2", "--ray", "auto", "--no-progress"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ray: " in proc.stderr and "on Ray" in proc.stdout and "kept 2" in proc.stdout
    assert _contents(tmp_path) == _contents(out1)
