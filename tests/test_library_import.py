"""generation.library import: original-API task files validated in the sandbox through sim.batch,
kept with provenance, duplicates (same name or same normalised AST) refused, failures reported per
file with their stage."""

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from generation.library import Library, normalised_ast
from sim import batch
from tests.subprocesses import ROOT, run_module

ORIGINAL = ROOT / "tests" / "data" / "original_style"


def test_normalised_ast_ignores_names_docstrings_comments_and_imports():
    a = (ORIGINAL / "blue_block_in_red_zone.py").read_text()
    copy = (ORIGINAL / "cyan_cube_zone_copy.py").read_text()
    assert normalised_ast(a) == normalised_ast(copy)
    assert normalised_ast(a) != normalised_ast(a.replace("'red'", "'green'"))  # another colour
    assert normalised_ast(a) != normalised_ast(a.replace("metric='zone'", "metric='pose'"))
    assert normalised_ast(a) != normalised_ast((ORIGINAL / "two_blocks_in_bowls.py").read_text())
    with pytest.raises(SyntaxError):
        normalised_ast("class X(:\n")
    # structure_only: colours, sizes and wording no longer count; objects and goal metrics do.
    shape = normalised_ast(a, structure_only=True)
    assert shape == normalised_ast(
        a.replace("'red'", "'green'").replace("0.12", "0.2").replace("the blue block", "the cyan block"),
        structure_only=True,
    )
    assert shape != normalised_ast(a.replace("metric='zone'", "metric='pose'"), structure_only=True)
    assert shape != normalised_ast(a.replace("block/block.urdf", "ball/ball.urdf"), structure_only=True)


def _cli(root, *args):
    return run_module("generation.library", "--root", root, "import", *args, "--workers", 2, "--no-progress")


def test_import_folder_keeps_passing_files_with_provenance_and_refuses_duplicates(tmp_path):
    folder = tmp_path / "gensim_tasks"
    shutil.copytree(ORIGINAL, folder)
    (folder / "broken_syntax.py").write_text("class BrokenSyntax(Task:\n    pass\n")
    (folder / "fails_at_reset.py").write_text(
        (ORIGINAL / "two_blocks_in_bowls.py")
        .read_text()
        .replace("TwoBlocksInBowls", "FailsAtReset")
        .replace("get_random_pose(env, bowl_size)", "get_random_pose(env, bowl_dims)")
    )
    lib_dir = tmp_path / "lib"
    out = _cli(lib_dir, folder, "--source", "gensim", "--episodes", "2")
    assert out.returncode == 1, out.stderr  # some files were rejected
    lines = out.stdout.splitlines()
    assert "imported  blue_block_in_red_zone.py as blue-block-in-red-zone success 1.00" in lines
    assert any(x.startswith("imported  pallet_and_zone.py as pallet-and-zone") for x in lines)
    assert any(x.startswith("imported  two_blocks_in_bowls.py as two-blocks-in-bowls") for x in lines)
    assert any(x.startswith("rejected  broken_syntax.py: stage parse: The task code does not parse") for x in lines)
    assert any(
        x.startswith("rejected  cyan_cube_zone_copy.py: stage duplicate: the same task as 'blue-block-in-red-zone'")
        for x in lines
    )
    assert any(x.startswith("rejected  fails_at_reset.py success 0.00: stage reset: NameError") for x in lines), (
        out.stdout
    )
    assert lines[-1] == "6 files: 3 imported, 0 kept as failing, 3 rejected (source 'gensim')"

    lib = Library(lib_dir)
    assert lib.names() == ["blue-block-in-red-zone", "pallet-and-zone", "two-blocks-in-bowls"]
    entry = lib.get("two-blocks-in-bowls")
    assert entry["source"] == "gensim" and entry["original_file"] == "two_blocks_in_bowls.py"
    assert datetime.fromisoformat(entry["imported"]).tzinfo is not None and "failing" not in entry
    assert entry["stats"]["success_rate"] == 1.0 and entry["stats"]["episodes"] == 2
    assert lib.code("two-blocks-in-bowls") == (ORIGINAL / "two_blocks_in_bowls.py").read_text()
    assert [e["name"] for e in lib.list(source="gensim")] == lib.names() and lib.sources() == ["gensim"]

    # Importing again: every file is now a duplicate (same name), nothing runs.
    again = _cli(lib_dir, ORIGINAL / "two_blocks_in_bowls.py", "--source", "gensim")
    assert again.returncode == 1
    assert "stage duplicate: a task named 'two-blocks-in-bowls' is already in the library" in again.stdout
    # Provenance survives a reindex.
    assert {e["name"]: e for e in lib.reindex()}["two-blocks-in-bowls"]["original_file"] == "two_blocks_in_bowls.py"


def test_keep_failing_marks_the_task_and_a_library_task_copy_is_a_duplicate(tmp_path):
    lib = Library(tmp_path / "lib")
    lib.add(
        (ROOT / "sim" / "tasks" / "place_red_in_green.py").read_text(),
        name="place-red-in-green",
        meta={"source": "curated"},
    )
    renamed = tmp_path / "red_blocks_green_bowls.py"
    renamed.write_text(
        (ROOT / "sim" / "tasks" / "place_red_in_green.py")
        .read_text()
        .replace("PlaceRedInGreen", "RedBlocksGreenBowls")
        .replace("n_bowls", "bowl_count")
    )
    failing = tmp_path / "never_done.py"
    failing.write_text(
        (ORIGINAL / "blue_block_in_red_zone.py")
        .read_text()
        .replace("BlueBlockInRedZone", "NeverDone")
        .replace("self.max_steps = 3", "self.max_steps = 0")
    )
    reports = lib.import_files(
        [renamed, failing, tmp_path / "absent.py"],
        "my-gpt4",
        episodes=2,
        keep_failing=True,
        engine=batch.LocalEngine(2),
        progress=False,
    )
    by = {Path(r["file"]).name: r for r in reports}
    assert by["red_blocks_green_bowls.py"]["stage"] == "duplicate"
    assert "'place-red-in-green'" in by["red_blocks_green_bowls.py"]["error"]
    assert by["absent.py"]["stage"] == "read" and by["absent.py"]["status"] == "rejected"
    assert by["never_done.py"]["status"] == "imported-failing", by["never_done.py"]
    assert by["never_done.py"]["stats"]["success_rate"] < 0.75
    entry = lib.get("never-done")
    assert entry["failing"] is True and entry["source"] == "my-gpt4"
    index = json.loads(lib.index_path.read_text())
    assert {e["name"] for e in index["tasks"]} == {"place-red-in-green", "never-done"}


@pytest.mark.parametrize("source", ["", "curated", "generated", "a b", "x" * 41])
def test_bad_source_names_are_refused(tmp_path, source):
    with pytest.raises(ValueError, match="--source"):
        Library(tmp_path).import_files([ORIGINAL], source, progress=False)


def test_app_library_rows_filter_by_source_and_survive_a_corrupt_index(tmp_path, monkeypatch):
    import generation.library
    from demo import library as demo_library

    monkeypatch.setattr(generation.library, "DEFAULT_ROOT", tmp_path)
    lib = Library(tmp_path)
    zone = (ORIGINAL / "blue_block_in_red_zone.py").read_text()
    lib.add(zone, meta={"source": "gensim", "stats": {"success_rate": 0.5, "episodes": 4}, "failing": True})
    lib.add((ORIGINAL / "two_blocks_in_bowls.py").read_text(), meta={"source": "generated"})
    assert demo_library.source_choices() == [demo_library.ALL_SOURCES, "generated", "gensim"]
    assert [r[0] for r in demo_library.library_rows(demo_library.ALL_SOURCES)] == [
        "blue-block-in-red-zone",
        "two-blocks-in-bowls",
    ]
    assert demo_library.library_rows("gensim") == [
        [
            "blue-block-in-red-zone",
            "Pick up the blue block and place it inside the red zone on the table.",
            "gensim",
            "50% of 4 episodes, failing",
        ]
    ]
    lib.index_path.write_text(lib.index_path.read_text().replace('"tasks": [', '"tasks": [,'))
    rows = demo_library.library_rows()
    assert len(rows) == 1 and rows[0][0] == "(library index unreadable)" and "line 3" in rows[0][1]
    assert demo_library.source_choices() == [demo_library.ALL_SOURCES]
