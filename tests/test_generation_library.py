"""Task library: index building, add/purge, name validation, no silent overwrite, concurrency, CLI."""

import json
import subprocess
import sys
import threading

import pytest

from generation.library import Library, check_name, describe_code
from tests.subprocesses import ROOT, run_module

TASK = '''import numpy as np
from cliport.tasks.task import Task


class RedTower(Task):
    """Stack  three red blocks
    into a tower."""

    def reset(self, env):
        env.add_object("stacking/block.urdf", None)
        env.add_object('bowl/bowl.urdf', None)
        env.add_object("stacking/block.urdf", None)
        note = "not an asset"
'''


def test_describe_code_reads_docstring_and_urdf_literals():
    facts = describe_code(TASK)
    assert facts == {
        "class": "RedTower",
        "description": "Stack three red blocks into a tower.",
        "assets": ["stacking/block.urdf", "bowl/bowl.urdf"],
    }
    with pytest.raises(ValueError, match="found 0"):
        describe_code("class A:\n    pass\n")
    with pytest.raises(ValueError, match="does not parse"):
        describe_code("class A(Task:\n")


def test_add_get_code_list_purge(tmp_path):
    lib = Library(tmp_path)
    entry = lib.add(TASK, meta={"backend": "offline", "model": "rules", "stats": {"success_rate": 1.0}})
    assert entry["name"] == "red-tower" and entry["source"] == "generated"
    assert (tmp_path / "red_tower.py").read_text() == TASK
    assert lib.get("red-tower")["stats"] == {"success_rate": 1.0}
    assert lib.code("red-tower") == TASK
    assert [e["name"] for e in lib.list()] == ["red-tower"]
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["tasks"][0]["backend"] == "offline"
    lib.purge("red-tower")
    assert lib.list() == [] and not (tmp_path / "red_tower.py").exists()
    with pytest.raises(KeyError):
        lib.purge("red-tower")
    with pytest.raises(KeyError, match="Available"):
        lib.get("red-tower")


def test_add_refuses_to_overwrite_file_or_entry(tmp_path):
    lib = Library(tmp_path)
    lib.add(TASK, name="tower")
    with pytest.raises(ValueError, match="already exists"):
        lib.add(TASK.replace("three", "four"), name="tower")
    assert "three" in lib.code("tower")
    (tmp_path / "hand_made.py").write_text(TASK)  # a file not yet indexed is protected too
    with pytest.raises(ValueError, match="already exists"):
        lib.add(TASK, name="hand-made")
    assert (tmp_path / "hand_made.py").read_text() == TASK


@pytest.mark.parametrize("bad", ["../evil", "a/b", "Evil", "rm -rf", "a;b", "", "x" * 65, "a_b"])
def test_bad_names_rejected_everywhere(tmp_path, bad):
    lib = Library(tmp_path)
    with pytest.raises(ValueError, match="Invalid task name"):
        lib.add(TASK, name=bad)
    with pytest.raises(ValueError, match="Invalid task name"):
        lib.purge(bad)
    with pytest.raises(ValueError):
        check_name(bad)
    assert list(tmp_path.iterdir()) == []


def test_add_rejects_code_without_one_task_class(tmp_path):
    with pytest.raises(ValueError, match="exactly one"):
        Library(tmp_path).add(TASK + "\nclass Second(Task):\n    pass\n", name="two")


def test_reindex_keeps_metadata_marks_new_files_curated_and_skips_bad(tmp_path, capsys):
    lib = Library(tmp_path)
    lib.add(TASK, name="gen-one", meta={"backend": "openai", "model": "m"})
    (tmp_path / "align_box_corner.py").write_text(TASK.replace("RedTower", "AlignBoxCorner"))
    (tmp_path / "dropped_in.py").write_text(TASK.replace("RedTower", "DroppedIn"))
    (tmp_path / "broken.py").write_text("class X(Task:\n")
    (tmp_path / "__init__.py").write_text("")
    # Listed before reindexing (read from the code), never the broken file.
    assert [e["name"] for e in lib.list()] == ["align-box-corner", "dropped-in", "gen-one"]
    entries = {e["name"]: e for e in lib.reindex()}
    assert set(entries) == {"gen-one", "align-box-corner", "dropped-in"}
    assert entries["gen-one"]["source"] == "generated" and entries["gen-one"]["model"] == "m"
    assert entries["align-box-corner"]["source"] == "curated"  # a base task
    assert entries["dropped-in"]["source"] == "generated"
    assert "broken.py" in capsys.readouterr().err


def test_set_stats_only_for_indexed_tasks(tmp_path):
    lib = Library(tmp_path)
    lib.add(TASK, name="tower")
    assert lib.set_stats("tower", {"success_rate": 0.5})["stats"] == {"success_rate": 0.5}
    assert lib.get("tower")["stats"] == {"success_rate": 0.5}
    with pytest.raises(KeyError):
        lib.set_stats("other", {})


def test_concurrent_adds_keep_a_valid_index(tmp_path):
    lib = Library(tmp_path)
    errors = []

    def add(i):
        try:
            Library(tmp_path).add(TASK, name=f"task-{i}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(lib.list()) == 12
    assert len(json.loads(lib.index_path.read_text())["tasks"]) == 12


def test_repository_index_covers_the_curated_tasks():
    from sim.tasks import BASE_TASKS

    indexed = {e["name"]: e for e in json.loads((ROOT / "sim" / "tasks" / "index.json").read_text())["tasks"]}
    assert set(BASE_TASKS) <= set(indexed)
    for name in BASE_TASKS:
        assert indexed[name]["source"] == "curated" and indexed[name]["description"]
        assert indexed[name]["assets"], name  # every base task loads at least one URDF


def test_cli_add_show_purge(tmp_path):
    src = tmp_path / "in.py"
    src.write_text(TASK)
    lib_dir = tmp_path / "lib"

    def cli(*args):
        return run_module("generation.library", "--root", lib_dir, *args, timeout=60)

    assert cli("add", str(src), "--name", "cli-task").returncode == 0
    again = cli("add", str(src), "--name", "cli-task")
    assert again.returncode == 1 and "already exists" in again.stderr
    shown = cli("show", "cli-task")
    assert shown.returncode == 0 and "class RedTower" in shown.stdout
    assert "cli-task" in cli("list").stdout
    bad = cli("purge", "../x")
    assert bad.returncode == 1 and "Invalid task name" in bad.stderr
    assert cli("purge", "cli-task").returncode == 0
    assert not (lib_dir / "cli_task.py").exists()


def test_concurrent_adds_from_processes_and_stats_updates_keep_every_write(tmp_path):
    """Several processes add tasks while another rewrites stats (an app save during a verify run):
    the file lock serialises the read-modify-writes, so no update is lost."""
    lib = Library(tmp_path)
    lib.add(TASK, name="verified")
    script = (
        "import sys; from generation.library import Library; lib = Library(sys.argv[1]); "
        "[lib.add(open(sys.argv[2]).read(), name=f'p{sys.argv[3]}-{i}') if sys.argv[3] != 's' "
        "else lib.set_stats('verified', {'success_rate': i / 10}) for i in range(8)]"
    )
    src = tmp_path / "task.txt"
    src.write_text(TASK)
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(src), tag], cwd=ROOT)
        for tag in ("0", "1", "2", "s")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    names = {e["name"] for e in lib.list()}
    assert names == {"verified"} | {f"p{t}-{i}" for t in "012" for i in range(8)}
    assert len(json.loads(lib.index_path.read_text())["tasks"]) == 25
    assert lib.get("verified")["stats"] == {"success_rate": 0.7}
    assert not list(tmp_path.glob(".index.json.*.tmp"))  # atomic writes leave no temp files


@pytest.mark.parametrize(
    "edit, line, words",
    [
        (lambda t: t.replace('"name": "b-task",', '"name": "b-task"'), 21, "Expecting ','"),
        (lambda t: t.replace('"name": "b-task"', '"name": "B task"'), 19, 'no valid "name"'),
        (lambda t: t.replace('"file": "b_task.py"', '"file": "../x.py"'), 19, "expected 'b_task.py'"),
        (
            lambda t: t.replace('"name": "b-task"', '"name": "a-task"').replace("b_task.py", "a_task.py"),
            19,
            "appears twice",
        ),
        (lambda t: t.replace('"tasks": [', '"tasks": {"x": [').replace("\n ]\n}", "\n ]}\n}"), 1, '"tasks" list'),
    ],
)
def test_hand_edited_index_gives_a_clear_error_with_the_line(tmp_path, edit, line, words):
    from generation.library import CorruptIndexError

    lib = Library(tmp_path)
    lib.add(TASK, name="a-task")
    lib.add(TASK, name="b-task")
    text = lib.index_path.read_text()
    assert text.splitlines()[18:20] == ["  {", '   "name": "b-task",']  # line 19 opens b-task's entry
    lib.index_path.write_text(edit(text))
    with pytest.raises(CorruptIndexError, match=rf"index.json line {line}\b.*") as info:
        lib.list()
    assert words in str(info.value)
    with pytest.raises(CorruptIndexError):
        lib.add(TASK, name="c-task")  # nothing is written over a broken index
    assert not (tmp_path / "c_task.py").exists()
    cli = run_module("generation.library", "--root", tmp_path, "list", timeout=60)
    assert cli.returncode == 1 and f"line {line}" in cli.stderr and "Traceback" not in cli.stderr
    with pytest.raises(CorruptIndexError):
        lib.reindex()
    assert {e["name"] for e in lib.reindex(from_files=True)} == {"a-task", "b-task"}
    assert [e["name"] for e in lib.list()] == ["a-task", "b-task"]


def test_verify_many_runs_through_the_executor_and_stores_stats(tmp_path):
    from sim import batch

    lib = Library(tmp_path)
    good = (ROOT / "tests" / "data" / "original_style" / "blue_block_in_red_zone.py").read_text()
    lib.add(good, name="zone-task")
    lib.add(
        good.replace("self.get_random_pose(env, zone_size)", "self.no_such_method()").replace(
            "BlueBlockInRedZone", "Broken"
        ),
        name="broken-task",
    )
    seen = []

    def verify(**kwargs):  # the same run twice: the second resumes from the journal
        journal = batch.JsonlJournal(tmp_path / "verify.jsonl")
        return lib.verify_many(
            episodes=2, seed=3, engine=batch.LocalEngine(2), progress=False, journal=journal, **kwargs
        )

    records = verify(on_result=lambda name, rec: seen.append(name))
    assert [r["status"] for r in records] == ["done", "done"] and sorted(seen) == ["broken-task", "zone-task"]
    zone, broken = lib.get("zone-task")["stats"], lib.get("broken-task")["stats"]
    assert zone["success_rate"] == 1.0 and zone["episodes"] == 2 and zone["seed"] == 3
    assert broken["success_rate"] == 0.0 and broken["stage_reached"] == "reset" and broken["error"]
    again = verify()
    assert [r["result"] for r in again] == [r["result"] for r in records]  # resumed, not re-run


class _InstantEngine:
    """A sim.batch engine that runs nothing: it records the order units arrive and answers at once."""

    def __init__(self):
        self.order, self.answers = [], []

    def capacity(self):
        return 1

    def submit(self, token, unit):
        self.order.append(unit.meta["task"])
        self.answers.append((token, ("ok", {"success_rate": 1.0, "mean_seconds": 1.0})))

    def next_done(self):
        return self.answers.pop(0)

    def close(self):
        pass


def test_verify_many_starts_the_slowest_tasks_first_and_answers_in_order(tmp_path):
    lib = Library(tmp_path)
    original = ROOT / "tests" / "data" / "original_style"
    lib.add((original / "blue_block_in_red_zone.py").read_text(), name="quick", meta={"stats": {"mean_seconds": 1.0}})
    lib.add((original / "two_blocks_in_bowls.py").read_text(), name="slow", meta={"stats": {"mean_seconds": 9.0}})
    lib.add((original / "pallet_and_zone.py").read_text(), name="new")  # never verified
    engine = _InstantEngine()
    records = lib.verify_many(["quick", "slow", "new"], engine=engine, progress=False)
    assert engine.order == ["slow", "quick", "new"]
    assert [r["meta"]["task"] for r in records] == ["quick", "slow", "new"]


def test_summary_counts_sources_goal_types_and_pass_figures(tmp_path):
    lib = Library(tmp_path)
    original = ROOT / "tests" / "data" / "original_style"
    lib.add(
        (original / "blue_block_in_red_zone.py").read_text(), meta={"source": "gensim", "stats": {"success_rate": 1.0}}
    )
    lib.add((original / "two_blocks_in_bowls.py").read_text(), meta={"stats": {"success_rate": 0.5}})
    lib.add((original / "pallet_and_zone.py").read_text())
    summary = lib.summary()
    assert summary["tasks"] == 3 and summary["by_source"] == {"generated": 2, "gensim": 1}
    assert summary["by_goal_type"] == {"zone": 1, "pose": 1, "pose+zone": 1}
    assert summary["passing"] == 1 and summary["unverified"] == 1
    assert 0 < summary["asset_diversity"] <= 1 and 0 < summary["code_diversity"] < 1
    assert lib.summary(source="gensim")["tasks"] == 1 and lib.summary(source="gensim")["asset_diversity"] == 0
