"""Run statistics on synthetic results with known pass rates and known diversity."""

import csv
import json

import pytest

from generation.stats import (
    code_tokens,
    format_table,
    jaccard_distance,
    mean_pairwise_distance,
    normalise_asset,
    run_stats,
    save_stats,
)
from sim.sandbox.events import STAGES


def result(reached, assets, code="", accepted=False):
    """A result R whose sandbox passed every stage up to and including `reached` (None: no verdict)."""
    if reached is None:
        return {
            "proposal": {"assets-used": assets} if assets is not None else None,
            "attempts": [],
            "final": None,
            "accepted": False,
        }
    passed = {s: STAGES.index(s) <= STAGES.index(reached) for s in STAGES}
    return {
        "proposal": {"assets-used": assets},
        "attempts": [{"code": code}],
        "final": {"passed": passed},
        "accepted": accepted,
    }


@pytest.mark.parametrize(
    "raw,norm",
    [
        ("bowl.urdf", "bowl"),
        ("bowl/bowl.urdf", "bowl"),
        ("Box/box-template.urdf", "box"),
        ("block/small.urdf", "block/small"),
        ("stacking/block.urdf", "stacking/block"),
    ],
)
def test_normalise_asset(raw, norm):
    assert normalise_asset(raw) == norm


def test_jaccard_and_pairwise():
    assert jaccard_distance({1, 2}, {2, 3}) == pytest.approx(1 - 1 / 3)
    assert jaccard_distance(set(), set()) == 0.0
    assert mean_pairwise_distance([{1}]) == 0.0
    # pairs: (a,b)=1-1/3, (a,c)=1, (b,c)=1-1/2 -> mean = (2/3 + 1 + 1/2) / 3
    assert mean_pairwise_distance([{1, 2}, {2, 3}, {3}]) == pytest.approx((2 / 3 + 1 + 0.5) / 3)


def test_known_rates_and_diversity():
    results = [
        result("success", ["bowl.urdf", "stacking/block.urdf"], "x = 1", accepted=True),
        result("success", ["bowl/bowl.urdf", "stacking/block.urdf"], "x = 1  # same tokens"),
        result("reset", ["zone/zone.urdf"], "y = 2"),
        result("syntax", ["zone/zone.urdf"], "y = 2"),  # parsed but did not load: not a syntax pass
        result(None, None),  # failed before a proposal: fails every stage, no diversity entry
    ]
    s = run_stats(results)
    assert s["trials"] == 5 and s["tasks"] == 4
    assert s["syntax"] == pytest.approx(3 / 5)
    assert s["runtime"] == pytest.approx(2 / 5)
    assert s["success"] == pytest.approx(2 / 5)
    assert s["accepted"] == pytest.approx(1 / 5)
    # asset sets: A, A, Z, Z (bowl spellings normalised) -> 4 of 6 pairs differ completely.
    assert s["asset_diversity"] == pytest.approx(4 / 6)
    # code token sets: {x,=,1} twice, {y,=,2} twice -> 4 pairs at distance 1 - 1/5.
    assert s["code_diversity"] == pytest.approx(4 * (1 - 1 / 5) / 6)


def test_empty_run():
    s = run_stats([])
    assert s["trials"] == 0 and s["success"] == 0.0 and s["asset_diversity"] == 0.0


def test_code_tokens_ignore_comments_and_survive_broken_code():
    assert code_tokens("a = b  # comment here\n") == {"a", "=", "b"}
    assert {"class", "A", "("} <= code_tokens("class A(:\n  '''unterminated")


def test_save_stats_csv_and_json(tmp_path):
    s = run_stats([result("success", ["a.urdf"], "x", accepted=True), result("load", ["b.urdf"], "y")])
    csv_path, json_path = save_stats(s, tmp_path / "out", "topdown_test", {"trials": 2})
    rows = list(csv.reader(csv_path.open()))
    assert rows[0] == ["run", "metric", "value"]
    assert ["topdown_test", "success", "0.5"] in rows
    data = json.loads(json_path.read_text())
    assert data["stats"]["syntax"] == 1.0 and data["config"] == {"trials": 2}
    assert "success" in format_table(s) and "0.50" in format_table(s)
