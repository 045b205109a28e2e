"""generation.trials through sim.batch: the same trials give the same rows with the local pool and with
--ray auto (at temperature 0: above it the offline generator shuffles its bottom-up ideas with fresh
entropy, as sampling an LLM would), and a re-run with the same --out resumes instead of repeating
trials."""

import json

import pytest

from generation.library import Library
from generation.trials import save_accepted
from tests.subprocesses import ROOT, run_module

ZONE_TASK = ROOT / "tests" / "data" / "original_style" / "blue_block_in_red_zone.py"
# Flags every run here shares: one episode, no repair, greedy answers, two workers, no progress bar.
QUICK = "--episodes 1 --repair-attempts 0 --temperature 0 --workers 2 --no-progress".split()


def _run(out, *extra):
    args = ["--mode", "bottomup", "--trials", 3, "--seed", 4, "--out", out, *QUICK, *extra]
    return run_module("generation.trials", *args, timeout=400)


def _rows(out):
    """Per trial: the proposed task, the pass flags, the episodes' seeds and outcomes."""
    rows = []
    for line in (out / "results.jsonl").read_text().splitlines():
        r = json.loads(line)
        final = r.get("final") or {}
        rows.append(
            (
                (r.get("proposal") or {}).get("task-name"),
                r.get("accepted"),
                r.get("error"),
                final.get("stage_reached"),
                final.get("success_rate"),
                [(e["seed"], e["success"], e["steps"]) for e in final.get("episodes") or []],
            )
        )
    return rows


def test_local_pool_and_ray_auto_give_identical_trials(tmp_path):
    pytest.importorskip("ray")
    local = _run(tmp_path / "local")
    assert local.returncode == 0, local.stderr
    on_ray = _run(tmp_path / "ray", "--ray", "auto")
    assert on_ray.returncode == 0, on_ray.stderr
    assert "ray: " in on_ray.stderr
    rows = _rows(tmp_path / "local")
    assert len(rows) == 3 and all(r[0] for r in rows)
    assert [r[5][0][0] for r in rows] == [4, 1004, 2004]  # trial k's episodes start at S + 1000 k
    assert rows == _rows(tmp_path / "ray")


def test_rerun_with_the_same_out_resumes(tmp_path):
    first = _run(tmp_path / "run")
    assert first.returncode == 0, first.stderr
    journal = (tmp_path / "run" / "trials.jsonl").read_text().splitlines()
    assert len(journal) == 3 and all(json.loads(x)["status"] == "done" for x in journal)
    again = _run(tmp_path / "run")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "run" / "trials.jsonl").read_text().splitlines() == journal  # nothing re-ran
    assert "trial 1/3" not in again.stdout and _rows(tmp_path / "run") == _rows(tmp_path / "run")


def test_ideas_file_runs_each_idea_and_save_never_adds_the_same_task_twice(tmp_path):
    ideas = tmp_path / "ideas.txt"
    ideas.write_text(
        "# growth list\nput the red block in the green bowl | expect: block=1\n\n"
        "put two red balls in the brown container\n"
    )
    lib = tmp_path / "lib"

    def run(out):
        args = ["--mode", "topdown", "--ideas", ideas, "--save", "--library", lib, "--out", out, *QUICK]
        return run_module("generation.trials", *args, timeout=400)

    first = run(tmp_path / "a")
    assert first.returncode == 0, first.stderr
    assert "trial 2/2" in first.stdout or "trial 1/2" in first.stdout
    ideas_run = [json.loads(x)["idea"] for x in (tmp_path / "a" / "results.jsonl").read_text().splitlines()]
    assert ideas_run == ["put the red block in the green bowl", "put two red balls in the brown container"]
    saved = sorted(p.name for p in lib.glob("*.py"))
    assert len(saved) == 2 and first.stdout.count("saved to the library as") == 2
    second = run(tmp_path / "b")  # same ideas again: the same two tasks
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("not saved: the library has the same task as") == 2
    assert sorted(p.name for p in lib.glob("*.py")) == saved


def _accepted(code: str, name: str, rate: float = 1.0) -> dict:
    """A pipeline result that accepted `code` as task `name`, solved at `rate` over 4 episodes."""
    return {
        "accepted": True,
        "proposal": {"task-name": name},
        "attempts": [{"code": code}],
        "final": {"success_rate": rate, "episodes": [{}] * 4},
        "backend": "offline",
        "model": None,
    }


def test_save_accepted_applies_min_success_and_refuses_duplicates(tmp_path, capsys):
    code, lib = ZONE_TASK.read_text(), Library(tmp_path)
    assert save_accepted(lib, _accepted(code, "half", 0.5), min_success=0.75) is None
    assert "success rate 0.50 below 0.75" in capsys.readouterr().out
    assert save_accepted(lib, _accepted(code, "three-of-four", 0.75), min_success=0.75) == "three-of-four"
    assert lib.get("three-of-four")["stats"]["success_rate"] == 0.75
    assert save_accepted(lib, _accepted(code, "again")) is None
    assert "same task as 'three-of-four'" in capsys.readouterr().out
    assert save_accepted(lib, _accepted(code, "refused") | {"accepted": False}) is None
    assert lib.names() == ["three-of-four"]


def test_save_accepted_distinct_and_asset_set_cap(tmp_path, capsys):
    code, lib = ZONE_TASK.read_text(), Library(tmp_path)
    assert save_accepted(lib, _accepted(code, "blue-zone"), distinct=True) == "blue-zone"
    green = code.replace("'blue'", "'green'")
    assert save_accepted(lib, _accepted(green, "green-zone"), distinct=True) is None  # colour only
    assert "apart from colours, sizes or counts: 'blue-zone'" in capsys.readouterr().out
    assert save_accepted(lib, _accepted(green, "green-zone")) == "green-zone"  # without --distinct
    pose = code.replace("metric='zone'", "metric='pose'")
    assert save_accepted(lib, _accepted(pose, "pose-zone"), max_per_asset_set=2) is None  # block + zone: 2 already
    assert "2 generated tasks already use the assets" in capsys.readouterr().out
    assert save_accepted(lib, _accepted(pose, "pose-zone"), max_per_asset_set=3) == "pose-zone"
