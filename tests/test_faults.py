"""Faults and what each must lead to (issue 15, "load and fault benchmark"). The fault table, each
fault -> expected outcome [where it is tested]:

- the sandbox child is SIGKILLed mid-run, from outside -> verdict error `Killed`, and the app answers
  the next run [here, `python app.py`];
- the task SIGKILLs itself, exhausts CPU or memory -> `Killed` / `CpuTimeLimit`
  [tests/test_sandbox_hostile.py: kill_self, infinite_loop, memory_bomb]; a child that dies without
  its "done" message -> `Killed` at the stage it reached
  [tests/test_sandbox.py::test_verdict_child_death_fails_the_stage_it_reached];
- a task that sleeps or hangs -> `Stalled` / `WallTimeLimit` [tests/test_sandbox_limits.py,
  tests/test_cli_json.py];
- a task that fills the disk of its work folder (one growing file, at import or in reset) ->
  `FileSizeLimit` at the stage it reached, exit status 1, its work folder removed [here,
  `python -m sim.run FILE --json`]; many files below that limit, many empty ones, or a folder the
  parent may not list -> `DiskLimit` [here, `sim.sandbox.run`];
- the model backend hangs -> "timed out (gave up after N retries)" once its timeout and retries are
  spent, no key in the error or the logs [here, backend];
- the model backend answers HTTP 500 quoting the key -> "answered HTTP 500: ... (gave up after 4
  retries)" in the verdict panel, the key masked there and absent from the app's log [here,
  `python app.py`; backend level: tests/test_serving_openai.py];
- the model backend answers garbage (not JSON, JSON of another shape, text without a task) -> "not an
  OpenAI-compatible API response" / "no readable {...} object", no key [here, app and backend];
- the model backend is unreachable -> "cannot reach ...", no key
  [tests/test_demo_app.py::test_openai_backend_without_server_reports_error_without_the_key];
- a library writer SIGKILLed in the middle of saves and purges, then restarted -> index.json parses,
  every indexed file exists, no task file is partial, the lock is free for the next writer [here, a
  temporary library root];
- the app SIGKILLed with runs in flight, then restarted -> the new app sweeps the dead one's work
  folders, the orphaned sandbox children exit, the new app answers, and its SIGTERM leaves nothing
  but the videos kept by design [here, `python app.py` with a private TMPDIR];
- a SIGKILLed CLI (sandboxed or in-process run) -> no leftovers after the next run
  [tests/test_no_leftovers.py].
"""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from demo.deployment import APP_RETRIES
from generation.library import Library
from serving import make_backend
from serving.base import BackendError
from sim import sandbox
from sim.sandbox.limits import Limits
from sim.settings import RunSettings
from tests.app_process import ARTIFACTS, serve_app
from tests.fake_openai import FakeOpenAI
from tests.subprocesses import ROOT

KEY = "sk-test-faults-" + "5f3a9c0e1d7b2468ac"
IDEA = "put the red block in the blue bowl"
# Kept on purpose for an hour (demo.handlers.VIDEO_DIR, Gradio's cache): not leftovers.
KEPT_BY_DESIGN = {"gensim-app-videos", "gradio"}
TASK_SOURCE = (ROOT / "sim" / "tasks" / "place_red_in_green.py").read_text()


# -- helpers ------------------------------------------------------------------------------------
def _processes() -> dict[int, tuple[int, str]]:
    """{pid: (parent pid, command name)} of every process, from /proc."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        out[int(stat.parent.name)] = (
            int(text.rsplit(")", 1)[1].split()[1]),
            text[text.index("(") + 1 : text.rindex(")")],
        )
    return out


def _below(pid: int, ancestor: int, table) -> bool:
    while pid in table and pid > 1:
        pid = table[pid][0]
        if pid == ancestor:
            return True
    return False


def _recording_child(app_pid: int) -> int | None:
    """Pid of a sandbox child of the app that is running a task: the parent of its ffmpeg encoder
    writing the run's mp4 (a starting child runs `ffmpeg -version` once: not that one)."""
    table = _processes()
    for pid, (parent, name) in table.items():
        if name.startswith("ffmpeg") and _below(pid, app_pid, table):
            try:
                if b".mp4" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return parent
            except OSError:
                continue
    return None


def _wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.05)
    return value


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _leftovers(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name not in KEPT_BY_DESIGN)


def _client(url):
    from gradio_client import Client

    return Client(url, verbose=False)


def _generate(url, **kwargs) -> dict:
    """/generate's visible outputs by name (demo.handlers.GENERATE_OUTPUTS minus state)."""
    fields = {"backend_kind": "offline", "episodes": 1, "repair_attempts": 0} | kwargs
    out = _client(url).predict(IDEA, **fields, api_name="/generate")
    names = ["stages", "code", "spec", "frame", "video", "verdict", "verdict_json", "attempts", "log"]
    return dict(zip(names, out))


def _private_tmp(tmp_path_factory, name: str) -> dict:
    tmp = tmp_path_factory.mktemp(name)
    return {"TMPDIR": str(tmp), "GRADIO_TEMP_DIR": str(tmp / "gradio")}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """(url, pid, log path) of `python app.py` with a private TMPDIR."""
    with serve_app("app-faults.log", **_private_tmp(tmp_path_factory, "app-faults")) as (url, pid, _):
        yield url, pid, ARTIFACTS / "app-faults.log"


# -- the sandbox --------------------------------------------------------------------------------
def test_sandbox_child_killed_mid_run_gives_killed_and_the_app_keeps_serving(app):
    url, pid, _ = app
    job = _client(url).submit("put-block-in-bowl", 10, 0, "320x240", api_name="/run_task")
    child = _wait_for(lambda: _recording_child(pid), 120, "sandbox child running episodes")
    os.kill(child, signal.SIGKILL)
    stages, code, frame, video, verdict, verdict_json = job.result(timeout=120)
    assert verdict_json["error"]["type"] == "Killed", verdict_json["error"]
    assert "SIGKILL" in verdict_json["error"]["message"] and not verdict_json["success"]
    assert "Killed" in verdict
    again = _client(url).predict("put-block-in-bowl", 1, 0, "320x240", api_name="/run_task")
    assert again[5]["success"] is True, again[4]


FILL_DISK = '''"""Writes one file in its work folder until something stops it."""

from cliport.tasks.task import Task


def fill():
    block = b"\\0" * (1 << 20)
    with open("fill.bin", "wb") as f:
        while True:
            f.write(block)
{at_import}

class FillDisk(Task):
    def reset(self, env):
        super().reset(env)
        fill()
'''


@pytest.mark.parametrize("stage", ["load", "reset"])
def test_task_filling_its_work_folder_gets_file_size_limit(tmp_path, stage):
    # At import too the sandbox stopped the run: exit 1 like any limit, not 2 (a task that cannot load).
    task = tmp_path / "fill_disk.py"
    task.write_text(FILL_DISK.format(at_import="\nfill()\n" if stage == "load" else ""))
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"} | {"TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "sim.run", str(task), "--episodes", "1", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    verdict = json.loads(done.stdout)
    assert done.returncode == 1, done.stderr
    assert verdict["error"]["type"] == "FileSizeLimit" and verdict["error"]["stage"] == stage
    assert "64 MiB per file" in verdict["error"]["message"] and verdict["error"]["line"] == 10
    assert [p.name for p in tmp_path.iterdir()] == ["fill_disk.py"]  # its work folder went with it


MANY_FILES = '''"""Writes file after file, each far below the per-file limit."""

import os

from cliport.tasks.task import Task


class ManyFiles(Task):
    def reset(self, env):
        super().reset(env)
        {setup}
        block = b"\\1" * {size}
        for i in range(10**9):
            with open(os.path.join({folder}, f"part-{{i}}.bin"), "wb") as f:
                f.write(block)
'''


@pytest.mark.parametrize(
    "case",
    [
        ("bytes", "pass", 1 << 20, "'.'"),  # 1 MiB files: the folder passes disk_bytes
        ("entries", "pass", 1, "'.'"),  # 1-byte files: the folder passes disk_entries first
        ("hidden", "os.makedirs('h'); os.chmod('h', 0o300)", 1 << 20, "'h'"),  # parent cannot list h
    ],
    ids=lambda c: c[0],
)
def test_task_filling_its_work_folder_with_many_files_gets_disk_limit(case):
    # RLIMIT_FSIZE is per file: the parent measures the whole folder.
    _, setup, size, folder = case
    source = MANY_FILES.format(setup=setup, size=size, folder=folder)
    limits = Limits(disk_bytes=16 << 20, disk_entries=2000, stall_seconds=60)
    verdict = sandbox.run(source, RunSettings(episodes=1, video=False, limits=limits))
    assert verdict["error"]["type"] == "DiskLimit", verdict["error"]
    assert verdict["stage_reached"] == "reset" and "16 MiB or 2000 files" in verdict["error"]["message"]


def test_private_tmp_is_bounded_like_the_work_folder(tmp_path):
    # bubblewrap's private /tmp is a tmpfs in RAM, which RLIMIT_AS does not count; where the
    # child may write there (a non-root caller without Landlock) it must not fill the RAM.
    from sim.sandbox import isolation

    if not isolation.probe_bwrap()[0] or not isolation.bwrap_sizes_tmpfs():
        pytest.skip("needs bubblewrap >= 0.8 with namespaces")
    limits = Limits(disk_bytes=16 << 20)
    plan = isolation.plan(tmp_path, limits)
    assert "private /tmp (at most 16 MiB)" in plan.layers["filesystem"]["detail"]
    fill = "head -c {} /dev/zero > /tmp/fill && echo written"
    small = subprocess.run([*plan.argv_prefix, "/bin/sh", "-c", fill.format(8 << 20)], capture_output=True, text=True)
    assert small.stdout.strip() == "written", small.stderr
    big = subprocess.run([*plan.argv_prefix, "/bin/sh", "-c", fill.format(32 << 20)], capture_output=True, text=True)
    assert "written" not in big.stdout and "No space left on device" in big.stderr


# -- the model backend --------------------------------------------------------------------------
class _Garbage(BaseHTTPRequestHandler):
    """Answers every POST with HTTP 200 and a body that is not JSON."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = b"\x00\xffgarbage {{{"
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def garbage_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_hanging_backend_times_out_with_a_clear_error_and_no_key(caplog, capsys):
    with socket.socket() as silent:  # accepts connections (the kernel's backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        silent_url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        backend = make_backend("openai", base_url=silent_url, model="m", api_key=KEY, timeout=1.0, retries=1)
        outcome = {}
        worker = threading.Thread(target=lambda: outcome.update(error=_error_of(backend)))
        worker.start()
        worker.join(60)  # 2 attempts of 1 s plus the SDK's back-off; 60 s means it hangs
        assert not worker.is_alive(), "the backend call did not end"
    assert "timed out (gave up after 1 retries)" in outcome["error"]
    shown = outcome["error"] + caplog.text + "".join(capsys.readouterr())
    assert KEY not in shown


def _error_of(backend) -> str:
    try:
        backend.chat([{"role": "user", "content": "write a task"}])
    except BackendError as exc:
        return str(exc)
    return "no error"


@pytest.mark.parametrize("streamed", [False, True])
def test_garbage_from_the_backend_is_a_clear_error(garbage_server, streamed, caplog):
    backend = make_backend("openai", base_url=garbage_server, model="m", api_key=KEY, retries=0)
    messages = [{"role": "user", "content": "write a task"}]
    with pytest.raises(BackendError, match="not an OpenAI-compatible API response") as error:
        "".join(backend.stream_chat(messages)) if streamed else backend.chat(messages)
    assert KEY not in str(error.value) + caplog.text


def test_backend_http_500_quoting_the_key_is_shown_masked(app):
    url, _, log = app
    with FakeOpenAI(status=500, error_message=f"upstream broke for key {KEY}") as server:
        out = _generate(url, backend_kind="openai", base_url=server.base_url, model="m", api_key=KEY)
    assert f"Bearer {KEY}" in server.header_values()  # the key was in play, sent to its own endpoint
    assert "HTTP 500" in out["verdict"] and f"gave up after {APP_RETRIES} retries" in out["verdict"], out["verdict"]
    assert out["verdict_json"] is None
    assert KEY not in repr(out) and KEY not in log.read_text()


def test_backend_garbage_through_the_app_is_a_clear_error(app, garbage_server):
    url, _, log = app
    out = _generate(url, backend_kind="openai", base_url=garbage_server, model="m", api_key=KEY)
    assert "not an OpenAI-compatible API response" in out["verdict"], out["verdict"]
    with FakeOpenAI(answer="\u2603 %%% no task here") as server:
        prose = _generate(url, backend_kind="openai", base_url=server.base_url, model="m", api_key=KEY)
    assert "no readable" in prose["verdict"], prose["verdict"]
    assert KEY not in repr(out) + repr(prose) + log.read_text()
    offline = _generate(url)  # and the offline backend still works in the same app
    assert offline["verdict_json"]["success"], offline["verdict"]


# -- kills and restarts -------------------------------------------------------------------------
WRITER = """
import itertools, sys
from generation.library import Library
lib, code = Library(sys.argv[1]), open(sys.argv[2]).read()
for i in itertools.count(int(sys.argv[3])):
    name = f"fault-task-{i}"
    lib.add(code, name=name)
    lib.set_stats(name, {"success_rate": i % 5 / 4})
    if i % 3 == 1:
        lib.purge(name)
    if i == int(sys.argv[3]):
        print("saved", flush=True)  # one save done: the kill lands among the next ones
"""


def _check_library(root: Path, code: str) -> int:
    """Assert the library at `root` is intact; returns its number of indexed tasks."""
    data = json.loads((root / "index.json").read_text())  # parses: never half-written
    listed = Library(root).list()  # no CorruptIndexError
    for entry in data["tasks"]:
        assert (root / entry["file"]).is_file(), entry  # indexed => on disk
    for path in root.glob("*.py"):
        assert path.read_text() == code, path  # never a partial task file
    assert {e["name"] for e in data["tasks"]} <= {e["name"] for e in listed}
    return len(data["tasks"])


def test_library_writer_killed_mid_save_leaves_index_and_files_intact(tmp_path):
    root, code_file = tmp_path / "library", tmp_path / "task.py"
    code_file.write_text(TASK_SOURCE)
    code = TASK_SOURCE if TASK_SOURCE.endswith("\n") else TASK_SOURCE + "\n"
    rng, counts = random.Random(15), []
    for round_ in range(6):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), str(code_file), str(round_ * 99_999)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout.readline().strip() == "saved"
        time.sleep(rng.uniform(0.3, 1.2))  # lands anywhere in add / set_stats / purge
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        counts.append(_check_library(root, code))
    # each writer's first save is kept (its index is a multiple of 3): every restart got the lock
    assert counts[0] > 0 and all(a < b for a, b in zip(counts, counts[1:])), counts


def test_app_killed_with_runs_in_flight_then_restarted(tmp_path_factory):
    env = _private_tmp(tmp_path_factory, "app-killed")
    tmp = Path(env["TMPDIR"])
    with serve_app("app-killed.log", **env) as (url, pid, _):
        for _ in range(2):
            _client(url).submit(IDEA, backend_kind="offline", episodes=3, api_name="/generate")
        child = _wait_for(lambda: _recording_child(pid), 120, "sandbox run of the app")
        os.kill(pid, signal.SIGKILL)  # the two runs in flight never get an answer
        stale = _leftovers(tmp)
        assert any(name.startswith(f"gensim-sandbox-{pid}-") for name in stale), stale
    _wait_for(lambda: not _alive(child), 30, "exit of the orphaned sandbox child")
    with serve_app("app-restarted.log", **env) as (url, pid2, _):
        assert not [name for name in _leftovers(tmp) if f"-{pid}-" in name]  # swept at start-up
        out = _generate(url)
        assert out["verdict_json"]["success"], out["verdict"]
    assert _leftovers(tmp) == []  # SIGTERM: the spare child and its folder went with the app
