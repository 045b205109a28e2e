"""policy.record -> parquet shards + card -> datasets.load_dataset, on two episodes of a base task."""

import json

import numpy as np
import pytest

from policy import dataset, record

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
