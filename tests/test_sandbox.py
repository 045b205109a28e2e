"""sim.sandbox: channel, static check, limits, log bounding, verdict rules, and real runs."""

import os
import subprocess
from pathlib import Path

import pytest

from sim.sandbox import Limits, iter_run, run
from sim.sandbox.channel import ChannelReader, ChannelWriter
from sim.sandbox.events import FrameEvent, LogEvent, StageEvent, VerdictEvent
from sim.sandbox.isolation import plan
from sim.sandbox.runner import _LogBuffer
from sim.sandbox.static_check import check_source
from sim.sandbox.verdict import VerdictBuilder
from sim.settings import RunSettings

ROOT = Path(__file__).resolve().parents[1]
GOOD_TASK = ROOT / "sim" / "tasks" / "place_red_in_green.py"


def _frames(key: bytes, messages) -> bytes:
    r, w = os.pipe()
    writer = ChannelWriter(w, key)
    for m in messages:
        writer.send(m)
    os.close(w)
    data = os.read(r, 1 << 20)
    os.close(r)
    return data


def test_channel_roundtrip_and_frame_kind():
    key = os.urandom(32)
    r, w = os.pipe()
    writer = ChannelWriter(w, key)
    writer.send({"t": "stage", "stage": "load"})
    writer.send_frame(3, b"\xff\xd8jpeg")
    os.close(w)
    data = os.read(r, 1 << 20)
    os.close(r)
    reader = ChannelReader(key)
    out = reader.feed(data[:7]) + reader.feed(data[7:])  # split mid-frame on purpose
    assert out == [("json", {"t": "stage", "stage": "load"}), ("frame", (3, b"\xff\xd8jpeg"))]
    assert reader.broken is None


def test_channel_rejects_wrong_key_and_replay():
    key = os.urandom(32)
    forged = ChannelReader(key)
    assert forged.feed(_frames(os.urandom(32), [{"t": "done"}])) == []
    assert "bad signature" in forged.broken
    replay = ChannelReader(key)
    frame = _frames(key, [{"t": "done"}])
    assert replay.feed(frame) == [("json", {"t": "done"})]
    assert replay.feed(frame) == [] and "bad signature" in replay.broken  # sequence number
    assert replay.feed(_frames(key, [{"t": "x"}])) == []  # stays closed


def test_static_check_flags_what_tasks_do_not_need():
    src = (
        "import numpy as np\nimport os\nimport socket\nfrom subprocess import run\n"
        "os.system('ls')\nx = os.path.join('a', 'b')\n__import__('ctypes')\n"
    )
    warnings = check_source(src, "t.py")
    assert any("t.py:3: imports 'socket'" in w for w in warnings)
    assert any("t.py:4: imports 'subprocess'" in w for w in warnings)
    assert any("os.system" in w for w in warnings)
    assert any("__import__" in w for w in warnings)
    assert not any(w.startswith(("t.py:1:", "t.py:2:", "t.py:6:")) for w in warnings)
    assert check_source(GOOD_TASK.read_text()) == []


def test_limits_validate_with_the_bad_value():
    with pytest.raises(ValueError, match="cpu_seconds must be a positive number, got 0"):
        Limits(cpu_seconds=0)
    with pytest.raises(ValueError, match="below 512 MiB"):
        Limits(memory_bytes=1 << 20)
    assert Limits().to_dict()["wall_seconds"] is None  # scaled per run: test_sandbox_limits.py


def test_log_buffer_is_bounded():
    budget = [1000]
    buf = _LogBuffer("stdout", budget)
    events = []
    for _ in range(1000):
        events += buf.feed(b"y" * 5000 + b"\nshort\n")
    assert sum(len(e.line) for e in events) <= 1000 + 2000
    assert all(isinstance(e, LogEvent) and len(e.line) <= 2000 for e in events)
    assert buf.dropped > 4_000_000


def test_scrubbed_environment_and_layers(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    monkeypatch.setenv("GENSIM_SANDBOX_NAMESPACES", "0")
    p = plan(tmp_path, Limits())
    assert "OPENAI_API_KEY" not in p.env and p.env["HOME"] == str(tmp_path)
    assert p.argv_prefix == []
    assert p.layers["network"]["active"] is False
    assert "forced off" in p.layers["network"]["detail"]


def test_rlimit_values_per_uid_mode(monkeypatch):
    from sim.sandbox import isolation

    lim = Limits(cpu_seconds=2.5, processes=10)
    fresh = isolation.rlimit_values(lim, uid=300000)
    assert fresh["RLIMIT_CPU"] == [3, 5] and fresh["RLIMIT_NPROC"] == [10, 10]
    monkeypatch.setattr(isolation.os, "geteuid", lambda: 4242)
    monkeypatch.setattr(isolation, "_user_tasks", lambda uid: 7)
    assert isolation.rlimit_values(lim, uid=None)["RLIMIT_NPROC"] == [17, 17]


def _builder():
    return VerdictBuilder(2, 5, {}, Limits())


def _drain(gen):
    return list(gen)


def test_frame_flood_is_throttled_by_the_parent():
    b = _builder()
    events = [e for _ in range(100) for e in b.on_message("frame", (0, b"\xff\xd8"))]
    assert events == [FrameEvent(0, b"\xff\xd8")]


def test_child_that_cannot_start_is_named():
    b = _builder()
    b.seen_start("syntax")
    b.stderr_tail = ["Traceback (most recent call last):", "ModuleNotFoundError: No module named 'sim'"]
    v = list(b.finish(1, None, None, 0.1))[-1].verdict
    assert v["error"]["type"] == "SandboxStartError" and v["stage_reached"] == "syntax"
    assert "No module named 'sim'" in v["error"]["message"]


def test_verdict_child_death_fails_the_stage_it_reached():
    b = _builder()
    b.seen_start("syntax")
    for s, st in [("syntax", "pass"), ("load", "start"), ("load", "pass"), ("reset", "start")]:
        _drain(b.on_message("json", {"t": "stage", "stage": s, "status": st}))
    events = _drain(b.finish(-9, None, None, 1.0))
    v = events[-1].verdict
    assert events[0] == StageEvent("reset", "fail") and isinstance(events[-1], VerdictEvent)
    assert v["stage_reached"] == "reset" and not v["success"]
    assert v["passed"] == {"syntax": True, "load": True, "reset": False, "runtime": False, "success": False}
    assert v["error"]["type"] == "Killed" and "SIGKILL" in v["error"]["message"]


def test_verdict_success_comes_from_rewards_and_seeds_not_child_claims():
    b = _builder()
    b.seen_start("syntax")
    for s in ("syntax", "load", "reset", "runtime"):
        if s != "syntax":
            _drain(b.on_message("json", {"t": "stage", "stage": s, "status": "start"}))
        _drain(b.on_message("json", {"t": "stage", "stage": s, "status": "pass"}))
    _drain(b.on_message("json", {"t": "stage", "stage": "success", "status": "pass"}))  # ignored
    for seed, reward in [(5, 0.5), (9, 1.0), (6, 0.98)]:  # seed 9 is out of order: dropped
        _drain(b.on_message("json", {"t": "episode", "episode": {"seed": seed, "reward": reward, "success": True}}))
    _drain(b.on_message("json", {"t": "done"}))
    v = list(b.finish(0, None, "/x.mp4", 1.0))[-1].verdict
    assert [e["seed"] for e in v["episodes"]] == [5, 6]
    assert v["success_rate"] == 0.0 and not v["success"]
    assert v["error"]["type"] == "LowSuccessRate" and v["stage_reached"] == "success"


def test_syntax_error_reports_line():
    v = run(
        "import numpy as np\n\ndef f(:\n    pass\n",
        RunSettings(video=False, limits=Limits(wall_seconds=20)),
        filename="bad_task.py",
    )
    assert v["stage_reached"] == "syntax" and not v["success"]
    assert v["error"]["type"] == "SyntaxError" and v["error"]["line"] == 3
    assert v["error"]["traceback"].startswith('  File "bad_task.py", line 3')


def test_load_failure_names_the_class_and_the_line():
    src = "from cliport.tasks.task import Task\n\n\nclass Broken(Task):\n    pass\n\n\nx = 1 / 0\n"
    v = run(src, RunSettings(video=False, limits=Limits(wall_seconds=30, cpu_seconds=10.5)))
    assert v["task"] == "Broken" and v["stage_reached"] == "load"
    assert v["error"]["type"] == "ZeroDivisionError" and v["error"]["line"] == 8
    assert v["passed"]["syntax"] and not v["passed"]["load"]


def test_good_task_succeeds_with_video_and_streams_frames(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-for-the-sandbox")
    events = list(
        iter_run(
            GOOD_TASK.read_text(),
            RunSettings(episodes=2, seed=3, limits=Limits(wall_seconds=100, cpu_seconds=80)),
            filename=GOOD_TASK.name,
        )
    )
    v = events[-1].verdict
    assert v["success"], v["error"]
    assert v["passed"] == {s: True for s in ("syntax", "load", "reset", "runtime", "success")}
    assert [e["seed"] for e in v["episodes"]] == [3, 4] and v["task"] == "PlaceRedInGreen"
    stages = [(e.stage, e.status) for e in events if isinstance(e, StageEvent)]
    assert stages == [(s, st) for s in ("syntax", "load", "reset", "runtime", "success") for st in ("start", "pass")]
    frames = [e for e in events if isinstance(e, FrameEvent)]
    assert frames and all(f.jpeg[:2] == b"\xff\xd8" for f in frames)
    video = Path(v["video"])
    probe = subprocess.run([_ffmpeg(), "-i", str(video)], capture_output=True, text=True)
    assert "h264" in probe.stderr and "yuv420p" in probe.stderr
    assert v["isolation"]["environment"]["active"]
    assert "sk-not-for-the-sandbox" not in repr(events)
    video.unlink()
    video.parent.rmdir()


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()
