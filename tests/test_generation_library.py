"""Task library: index building, add/purge, name validation, no silent overwrite, concurrency, CLI."""
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from generation.library import Library, check_name, describe_code

ROOT = Path(__file__).resolve().parents[1]

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
    assert facts == {"class": "RedTower", "description": "Stack three red blocks into a tower.",
                     "assets": ["stacking/block.urdf", "bowl/bowl.urdf"]}
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
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
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
        return subprocess.run([sys.executable, "-m", "generation.library", "--root", str(lib_dir), *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)

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
