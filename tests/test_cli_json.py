"""`--json` command lines print exactly one JSON document on stdout for every outcome, with the
documented exit status (sim/cli.py): bad arguments, unknown task, load failure, success with the
sandbox's warnings and isolation, cancellation by SIGINT/SIGTERM."""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.subprocesses import RECORDED, RECORDED_ONE_EPISODE, ROOT, run_module, start_module

HANG = (
    "import time\nfrom cliport.tasks.task import Task\n\n\nclass Hang(Task):\n"
    "    def reset(self, env):\n        super().reset(env)\n        time.sleep(600)\n"
)
LOAD_FAILS = "from cliport.tasks.task import Task\n\n\nclass Broken(Task):\n    pass\n\n\nx = 1 / 0\n"


def _env(tmp_path) -> dict:
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    return dict(os.environ, TMPDIR=str(tmp))


def _one_json(stdout: str) -> dict:
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert len(lines) == 1, stdout[-2000:]
    return json.loads(lines[0])


def _cli(tmp_path, module, *args, timeout=300):
    proc = run_module(module, *args, timeout=timeout, env=_env(tmp_path))
    return proc.returncode, _one_json(proc.stdout), proc.stderr


@pytest.mark.parametrize(
    "args, etype",
    [
        (["--episodes", "x", "t.py"], "UsageError"),  # argparse's own error
        (["place-red-in-green", "--episodes", "0"], "UsageError"),
        (["no-such-task"], "UnknownTask"),
        (["missing_task.py"], "FileNotFoundError"),
    ],
)
def test_sim_run_bad_arguments_are_json(tmp_path, args, etype):
    rc, doc, _ = _cli(tmp_path, "sim.run", *args, "--json")
    assert rc == 2 and doc["error"]["type"] == etype
    assert doc["episodes"] == [] and doc["success_rate"] == 0.0 and doc["task"] is None


def test_sim_run_load_failure_is_the_sandbox_verdict(tmp_path):
    task = tmp_path / "broken.py"
    task.write_text(LOAD_FAILS)
    rc, doc, _ = _cli(tmp_path, "sim.run", task, "--json")
    assert rc == 2 and doc["sandboxed"] and doc["task"] == "Broken"
    assert doc["stage_reached"] == "load" and doc["passed"]["syntax"] and not doc["passed"]["load"]
    assert doc["error"]["type"] == "ZeroDivisionError" and doc["error"]["line"] == 8
    assert doc["isolation"]["rlimits"]["active"]


def test_sim_run_file_json_carries_static_warnings_and_isolation(tmp_path):
    task = tmp_path / "red_in_green.py"
    task.write_text(
        (ROOT / "sim" / "tasks" / "place_red_in_green.py").read_text()
        + "\n\ndef _unused():\n    import os\n    os.system('true')\n"
    )
    rc, doc, _ = _cli(tmp_path, "sim.run", task, "--episodes", "2", "--json")
    assert rc == 0 and doc["error"] is None and doc["success"] and doc["passed"]["success"]
    assert any("os.system" in w for w in doc["warnings"]), doc["warnings"]
    assert {"environment", "rlimits", "seccomp", "channel"} <= set(doc["isolation"])
    assert doc["limits"]["wall_seconds"] > 0 and [e["seed"] for e in doc["episodes"]] == [0, 1]


def test_sim_run_library_task_json(tmp_path):
    rc, doc, _ = _cli(tmp_path, "sim.run", "place-red-in-green", "--episodes", "1", "--json")
    assert rc == 0 and not doc["sandboxed"] and doc["error"] is None
    assert doc["task"] == "PlaceRedInGreen" and doc["success_rate"] == 1.0


def test_sim_run_generated_library_task_runs_in_the_sandbox(tmp_path):
    # accepted generated tasks are model-written code: only the curated base tasks run in-process
    rc, doc, _ = _cli(tmp_path, "sim.run", "place-blue-block-green-bowl", "--episodes", "1", "--json")
    assert rc == 0 and doc["sandboxed"] and doc["passed"]["runtime"], doc["error"]


def _start_and_signal(tmp_path, argv, signum):
    """Start a CLI with a private TMPDIR, send `signum` once its sandbox child has its task file,
    and return (exit status, the one JSON document)."""
    env = _env(tmp_path)
    proc = start_module(*argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tmp = Path(env["TMPDIR"])
    deadline = time.monotonic() + 120
    while not list(tmp.glob("gensim-sandbox-*/*.py")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    time.sleep(1)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, _one_json(out), err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_sim_run_cancelled_is_json_and_130(tmp_path, signum):
    task = tmp_path / "hang.py"
    task.write_text(HANG)
    rc, doc, err = _start_and_signal(tmp_path, ["sim.run", task, "--json"], signum)
    assert rc == 130, err[-2000:]
    assert doc["error"]["type"] == "Cancelled" and doc["stage_reached"] == "reset"
    assert list((tmp_path / "tmp").iterdir()) == []  # child folder removed on the way out


def test_generate_bad_arguments_are_json(tmp_path):
    rc, doc, _ = _cli(tmp_path, "generation.generate", "an idea", "--episodes", "x", "--json")
    assert rc == 2 and doc["error"].startswith("bad arguments:") and doc["attempts"] == []
    rc, doc, _ = _cli(tmp_path, "generation.generate", "an idea", "--model", "m", "--json")
    assert rc == 2 and "--model" in doc["error"] and doc["accepted"] is False


def test_generate_cancelled_is_json_and_130(tmp_path):
    answers = tmp_path / "answers"
    shutil.copytree(RECORDED, answers)
    (answers / "05-implementation.txt").write_text(f"```python\n{HANG}```\n")
    rc, doc, err = _start_and_signal(
        tmp_path,
        [
            "generation.generate",
            "put the blue block in the yellow bowl",
            "--backend",
            "recorded",
            "--path",
            answers,
            "--episodes",
            "1",
            "--repair-attempts",
            "0",
            "--json",
        ],
        signal.SIGINT,
    )
    assert rc == 130, err[-2000:]
    assert doc["error"] == "Cancelled." and doc["accepted"] is False
    assert doc["attempts"][0]["verdict"]["error"]["type"] == "Cancelled"


def test_generation_run_json(tmp_path):
    rc, doc, _ = _cli(tmp_path, "generation.trials", "--trials", "0", "--json")
    assert rc == 2 and doc["error"].startswith("bad arguments:") and doc["trials"] == []
    args = ["--trials", 1, "--idea", "put the blue block in the yellow bowl", *RECORDED_ONE_EPISODE]
    rc, doc, err = _cli(tmp_path, "generation.trials", *args, "--out", tmp_path / "out", "--no-progress", "--json")
    assert rc == 0, err[-2000:]
    assert doc["error"] is None and doc["stats"]["trials"] == 1 and doc["out"] == str(tmp_path / "out")
    assert doc["trials"] == [{"trial": 0, "task": "blue-block-in-yellow-bowl", "accepted": True, "error": None}]
