"""Unit tests of the app's backend settings, panels, run registry, videos and library saving."""

from pathlib import Path

import pytest

from demo import render
from demo.deployment import Deployment, InputError
from sim.sandbox.events import Stage, StageEvent


def test_backend_config_never_carries_the_servers_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-123456")
    private = Deployment.from_env({"OPENAI_API_KEY": "sk-env-123456"})
    assert "api_key" not in private.backend_config("openai", "http://h/v1", "m", "", "", "")
    assert private.backend_config("openai", "http://h/v1", "m", "sk-field", "", "")["api_key"] == "sk-field"
    assert set(private.backend_config("offline", "", "", "sk-field", "", "")) == {"library"}
    with pytest.raises(InputError, match="model name"):
        private.backend_config("openai", "http://h/v1", " ", "", "", "")
    with pytest.raises(InputError, match="Available"):
        private.backend_config("nope", "", "", "", "", "")


def test_deployment_preselects_openai_without_exposing_the_key():
    assert Deployment.from_env({}).default_backend == "offline"
    deployment = Deployment.from_env({"OPENAI_API_KEY": "sk-secret-value", "GENSIM_MODEL": "gpt-x"})
    assert deployment.default_backend == "openai" and deployment.model == "gpt-x" and deployment.has_server_key
    assert "sk-secret-value" not in repr(deployment)


def test_stage_tracker_follows_pipeline_and_sandbox_events():
    t = render.StageTracker(render.GENERATE_STAGES)
    t.start("propose", 0)
    t.start("implement", 1)
    assert t.status["propose"] == "pass" and t.status["implement"] == "run"
    t.sandbox(StageEvent(Stage.SYNTAX, "start"))
    t.sandbox(StageEvent(Stage.SYNTAX, "pass"))
    t.sandbox(StageEvent(Stage.RUNTIME, "fail"))
    assert t.status["implement"] == "pass" and t.status["oracle"] == "fail"
    t.start("implement", 2)  # a repair attempt starts over from implement
    assert t.status["oracle"] == "todo" and t.status["propose"] == "pass" and "repair 1" in t.html()
    t.finish({"passed": {"syntax": True, "load": True, "reset": True, "runtime": True, "success": True}})
    assert t.status["verdict"] == "pass" and t.status["syntax"] == "pass"


def test_verdict_panel_shows_episodes_and_highlights_the_error_line():
    code = "line1\nline2\nboom()\nline4\n"
    verdict = {
        "task": "T",
        "success": False,
        "success_rate": 0.5,
        "stage_reached": "runtime",
        "episodes": [{"seed": 0, "reward": 1.0, "success": True, "steps": 3, "seconds": 1.2, "warnings": ["<slow>"]}],
        "error": {"stage": "runtime", "type": "NameError", "message": "name 'boom' is not defined", "line": 3},
    }
    page = render.verdict_html(verdict, code)
    assert "FAILED at runtime" in page and "50%" in page and "&lt;slow&gt;" in page
    assert '<div class="gs-hl"><span class="gs-ln">   3</span> boom()</div>' in page
    assert "at line 3" in page
    ok = render.verdict_html({"success": True, "success_rate": 1.0, "episodes": []})
    assert "SUCCESS" in ok and "gs-pass" in ok


def test_save_to_library_checks_verdict_and_names_and_never_overwrites(tmp_path):
    from demo import library
    from sim.tasks import task_path

    code = task_path("put-block-in-bowl").read_text()
    passed = {
        "code": code,
        "accepted": True,
        "backend": "offline",
        "model": "rule-based",
        "success_rate": 1.0,
        "episodes": 2,
    }
    assert "Generate a task first" in library.save(None, "x", tmp_path)[0]
    assert "passed its verdict" in library.save(passed | {"accepted": False}, "x", tmp_path)[0]
    assert "Invalid task name" in library.save(passed, "../evil", tmp_path)[0]
    assert not list(tmp_path.glob("*.py"))
    message, rows, _ = library.save(passed, "my-bowl-task", tmp_path)
    assert "Saved as “my-bowl-task”" in message
    assert (tmp_path / "my_bowl_task.py").read_text() == code
    again = library.save(passed | {"code": code.replace("bowl", "dish")}, "my-bowl-task", tmp_path)[0]
    assert "already exists" in again
    assert (tmp_path / "my_bowl_task.py").read_text() == code  # unchanged
    from generation.library import Library

    entry = Library(tmp_path).get("my-bowl-task")
    assert entry["source"] == "generated" and library._stats(entry) == "100% of 2 episodes"


def test_app_builds_without_importing_heavy_packages():
    """`python app.py` must start fast: torch, transformers and pybullet load only in handlers."""
    import subprocess
    import sys

    probe = (
        "import sys, app; demo = app.build_demo(2); "
        "print(sorted(m for m in ('torch', 'transformers', 'pybullet', 'openai') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=__import__("pathlib").Path(__file__).resolve().parents[1],
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout


def test_runs_stop_only_the_sessions_own_runs():
    from demo.handlers import Runs

    runs = Runs()
    a1, a2, b = runs.begin("a", "generate"), runs.begin("a", "generate"), runs.begin("b", "generate")
    other_kind = runs.begin("a", "run_task")
    assert runs.stop("a", "generate") is True
    assert a1.is_set() and a2.is_set() and not b.is_set() and not other_kind.is_set()
    runs.end("b", "generate", b)
    assert runs.stop("b", "generate") is False and not b.is_set()


def test_keep_video_moves_the_file_and_removes_its_temp_folder(tmp_path):
    from demo.handlers import discard_video, keep_video

    folder = tmp_path / "gensim-video-x"
    folder.mkdir()
    (folder / "episodes.mp4").write_bytes(b"mp4")
    kept = keep_video(str(folder / "episodes.mp4"))
    assert Path(kept).read_bytes() == b"mp4" and not folder.exists()
    Path(kept).unlink()
    other = tmp_path / "gensim-video-y"
    other.mkdir()
    (other / "episodes.mp4").write_bytes(b"mp4")
    discard_video(str(other / "episodes.mp4"))
    assert not other.exists()
    assert keep_video(None) is None and keep_video(str(tmp_path / "missing.mp4")) is None


ARENA_PROBE = """
import ctypes, os, sys, tempfile, threading
from demo.allocator import limit_malloc_arenas
print(limit_malloc_arenas(2) if sys.argv[1] == "limit" else "default")
barrier, kept = threading.Barrier(6), []
def grab():
    kept.append(bytearray(100_000))  # below the mmap threshold: from the thread's arena
    barrier.wait()  # all six alive at once, so none takes over an exited thread's arena
threads = [threading.Thread(target=grab) for _ in range(6)]
for t in threads: t.start()
for t in threads: t.join()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
path = os.path.join(tempfile.mkdtemp(), "malloc.xml")
fp = ctypes.c_void_p(libc.fopen(path.encode(), b"w"))
libc.malloc_info(0, fp)
libc.fclose(fp)
print(open(path).read().count("<heap nr="))
"""


@pytest.mark.skipif(__import__("platform").libc_ver()[0] != "glibc", reason="glibc's mallopt")
def test_limit_malloc_arenas_caps_the_arenas_of_new_threads(monkeypatch):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    root = Path(__file__).resolve().parents[1]

    def arenas(mode: str) -> list[str]:
        out = subprocess.run(
            [sys.executable, "-c", ARENA_PROBE, mode], capture_output=True, text=True, timeout=60, cwd=root, env=env
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    _, count = arenas("default")
    assert int(count) > 2  # the main arena and one per thread (glibc allows 8 per core)
    assert arenas("limit") == ["True", "2"]

    from demo.allocator import limit_malloc_arenas

    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False  # the operator's setting stands
