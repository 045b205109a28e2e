"""No work folder, spare child, templated asset or video outlives its run (sim/tmpdirs.py): folders
name their owner process, a SIGKILLed owner's folders are swept by the next run, an orphaned
sandbox child exits. The batch runs with a private TMPDIR so that the count of entries before and
after is not disturbed by other processes of the machine."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sim import tmpdirs
from tests.subprocesses import RECORDED_ONE_EPISODE, ROOT, run_module, start_module

HANG = (
    "import time\nfrom cliport.tasks.task import Task\n\n\nclass Hang(Task):\n"
    "    def reset(self, env):\n        super().reset(env)\n        time.sleep(600)\n"
)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_sweep_removes_only_dead_owners_and_old_legacy_folders(tmp_path):
    me, ticks = os.getpid(), tmpdirs.start_ticks(os.getpid())
    names = {
        f"gensim-sandbox-{_dead_pid()}-123-abcd1234": False,  # owner gone
        f"gensim-urdf-{me}-{ticks + 1}-abcd1234": False,  # pid reused by another process
        f"gensim-video-{me}-{ticks}-abcd1234": True,  # owner alive
        "gensim-sandbox-old12345": False,  # legacy, two days old
        "gensim-urdf-new12345": True,  # legacy, fresh
        "gensim-app-videos": True,  # not a kind swept here
        "pytest-of-someone": True,
    }
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "file").write_text("x")
    two_days_ago = time.time() - 2 * 86400
    os.utime(tmp_path / "gensim-sandbox-old12345", (two_days_ago, two_days_ago))
    (tmp_path / f"gensim-sandbox-{_dead_pid()}-1-notadir").write_text("a file is left alone")
    removed = tmpdirs.sweep(tmp_path)
    assert sorted(removed) == sorted(n for n, keep in names.items() if not keep)
    assert {p.name for p in tmp_path.iterdir() if p.is_dir()} == {n for n, k in names.items() if k}


def test_make_names_the_owner(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    folder = tmpdirs.make("urdf")
    pid, ticks = folder.name.split("-")[2:4]
    assert folder.parent == tmp_path and int(pid) == os.getpid()
    assert tmpdirs.owner_alive(int(pid), int(ticks))
    shutil.rmtree(folder)


def _environ_mentions(text: str) -> list[int]:
    """Pids of live processes whose environment contains `text` (our TMPDIR)."""
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/environ", "rb") as f:
                    if text.encode() in f.read():
                        pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _wait_for(paths_glob, tmp: Path, proc, seconds=120):
    deadline = time.monotonic() + seconds
    while not list(tmp.glob(paths_glob)):
        assert proc.poll() is None and time.monotonic() < deadline, f"no {paths_glob} appeared"
        time.sleep(0.1)


def test_no_leftovers_after_a_batch_with_killed_runs(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), GENSIM_SANDBOX_PREFORK="1")
    before = sorted(os.listdir(tmp))

    def cli(*argv):
        proc = run_module(*argv, env=env)
        assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]
        return proc

    hang = tmp_path / "hang.py"
    hang.write_text(HANG)
    red = ROOT / "sim" / "tasks" / "place_red_in_green.py"
    cli("sim.run", "align-box-corner", "--episodes", "1", "--json")  # in-process, templates
    cli("sim.run", red, "--episodes", "1", "--video", tmp_path / "red.mp4", "--json")  # sandbox + video
    idea = "put the blue block in the yellow bowl"
    cli("generation.generate", idea, *RECORDED_ONE_EPISODE, "--video", tmp_path / "gen.mp4", "--json")
    assert (tmp_path / "red.mp4").stat().st_size > 1000 and (tmp_path / "gen.mp4").is_file()
    assert sorted(os.listdir(tmp)) == before

    killed = []
    for argv, folder in (
        (["sim.run", hang, "--json"], "gensim-sandbox-*/hang.py"),
        (["sim.run", "palletizing-boxes", "--episodes", "3"], "gensim-urdf-*/*"),
    ):
        proc = start_module(*argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(folder, tmp, proc)
        time.sleep(1)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed.append(proc.pid)
    # the second run swept the first one's folder at its start; its own is left
    left = sorted(os.listdir(tmp))
    assert [name.split("-")[2] for name in left] == [str(killed[1])], left

    # a caller killed while its pre-started spare child waits for the next run
    waiter = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from sim.sandbox import run; from sim.settings import RunSettings; "
            "run('def f(:', RunSettings(video=False, episodes=1)); print('ran', flush=True); time.sleep(600)",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert waiter.stdout.readline().strip() == "ran"
    assert any(n.startswith(f"gensim-sandbox-{waiter.pid}-") for n in os.listdir(tmp))  # spare
    waiter.send_signal(signal.SIGKILL)
    waiter.wait()
    killed.append(waiter.pid)
    deadline = time.monotonic() + 30  # orphaned child exits
    while _environ_mentions(f"TMPDIR={tmp}") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _environ_mentions(f"TMPDIR={tmp}") == []

    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n")
    cli("sim.run", broken, "--json")  # the next run sweeps the dead owners' folders
    assert sorted(os.listdir(tmp)) == before
    assert not [n for n in os.listdir("/tmp") if any(f"-{pid}-" in n for pid in killed)]
