"""End to end through the real sandbox (a few seconds per run; kept to four runs of one episode).

Recorded model answers (tests/data/recorded/) drive the pipeline; the code runs in `sim.sandbox`.
"""

import json

from generation.answers import extract_code
from generation.library import Library
from generation.pipeline import GenerateOptions, generate
from serving.recorded import RecordedBackend
from sim.settings import RunSettings
from tests.subprocesses import RECORDED_ONE_EPISODE, ROOT, run_module

DATA = ROOT / "tests" / "data" / "recorded"
IDEA = "put the blue block in the yellow bowl"


def test_runtime_error_is_repaired_in_the_real_sandbox():
    r = generate(
        IDEA,
        RecordedBackend(DATA / "repair"),
        options=GenerateOptions(run=RunSettings(episodes=1, seed=3, video=False)),
    )
    assert r["error"] is None
    first, second = (a["verdict"] for a in r["attempts"])
    assert first["success"] is False and first["error"]["stage"] == "reset"
    assert first["error"]["type"] == "NameError" and "COLORS" in first["error"]["message"]
    assert second["success"] is True and second["episodes"][0]["seed"] == 3
    assert r["accepted"] is True


def test_generate_cli_json_and_video(tmp_path):
    video = tmp_path / "task.mp4"
    out = run_module("generation.generate", IDEA, *RECORDED_ONE_EPISODE, "--video", video, "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    r = json.loads(out.stdout)
    assert set(r) >= {
        "idea",
        "backend",
        "model",
        "proposal",
        "spec",
        "refusal",
        "attempts",
        "final",
        "accepted",
        "error",
    }
    assert r["backend"] == "recorded" and r["accepted"] is True and r["final"]["success"] is True
    assert r["final"]["video"] == str(video) and video.stat().st_size > 1000


def test_run_cli_saves_stats_and_accepted_task(tmp_path):
    lib_dir = tmp_path / "lib"
    args = ["--mode", "topdown", "--trials", 1, "--idea", IDEA, *RECORDED_ONE_EPISODE, "--save", "--library", lib_dir]
    out = run_module("generation.trials", *args, "--out", tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    stats = json.loads((tmp_path / "stats.json").read_text())["stats"]
    assert stats["trials"] == 1 and stats["success"] == 1.0 and stats["accepted"] == 1.0
    assert "success" in out.stdout and (tmp_path / "eval_results.csv").is_file()
    assert json.loads((tmp_path / "results.jsonl").read_text())["proposal"]["task-name"] == "blue-block-in-yellow-bowl"
    entry = Library(lib_dir).get("blue-block-in-yellow-bowl")
    assert entry["source"] == "generated" and entry["backend"] == "recorded"
    assert entry["stats"]["success_rate"] == 1.0


def test_library_verify_stores_sandbox_stats(tmp_path):
    lib = Library(tmp_path)
    lib.add(extract_code((DATA / "good" / "05-implementation.txt").read_text()), name="blue-in-yellow")
    stats = lib.verify("blue-in-yellow", episodes=1, seed=5)
    assert stats["success_rate"] == 1.0 and stats["episodes"] == 1 and stats["error"] is None
    assert lib.get("blue-in-yellow")["stats"]["seed"] == 5
