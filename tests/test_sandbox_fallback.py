"""The sandbox without namespaces (GENSIM_SANDBOX_NAMESPACES=0), as on a Hugging Face Space.

A driver process plays the app: it is started with a fake OPENAI_API_KEY and HF_TOKEN in its
initial environment (as a Space passes its secrets), under a shell that stays alive with the same
environment (as a container's entry script may), and runs hostile task files through
`sim.sandbox.iter_run`, printing every event as JSON. Its task children run as its own user.
Configurations: the caller as the tests' user (root here: the interpreter under /root is not
readable by a spare uid, so the child keeps uid 0 and drops its capabilities), and an unprivileged
caller (uid 65534) that owns its copy of sim/ and assets/ as a Space's user owns the app (run with
the system's python3 of the same version, through a venv whose .pth points at this venv's
packages), each with Landlock on and off (GENSIM_SANDBOX_LANDLOCK=0); and a root caller with that
readable python, whose child drops to a spare uid, without Landlock. Checked:
- the planted keys appear in no event (verdict, error, log), and the driver is non-dumpable;
- the parent's and another sandbox child's /proc/<pid>/environ and memory are closed to the child
  (non-dumpable caller and children, a child without CAP_SYS_PTRACE: with or without Landlock);
- no file appears in /tmp, in a world-writable folder or in the project tree, and the project's
  source is unchanged (Landlock, or a uid that does not own those files: skipped, with the reason,
  where neither is active);
- the seccomp filter binds the heartbeat thread started before it;
- `isolation` reports each layer as it is.
Last, a Space-like container: uid 65534 under the seccomp rules Docker's default profile applies
without CAP_SYS_ADMIN, where bwrap is installed but refused: the run falls back and says why.
"""

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from sim.sandbox import isolation, landlock

REPO = Path(__file__).resolve().parents[1]
HOSTILE_DIR = Path(__file__).parent / "data" / "hostile"
KEY = "sk-fallback-" + secrets.token_hex(16)
HF_KEY = "hf_" + secrets.token_hex(16)
SECRET = "secret-file-" + secrets.token_hex(8)
TOKEN = secrets.token_hex(6)  # in every marker name: finds whatever the attacks left
ABI, ABI_REASON = landlock.abi_version()
FILES = (
    "read_parent_environ",
    "read_parent_memory",
    "read_sibling_memory",
    "leak_proc_environ",
    "leak_env_error",
    "leak_env_stdout",
    "read_host_secret",
    "write_tmp",
    "write_outside_workdir",
    "write_home_dotfile",
    "write_project_tree",
    "hijack_heartbeat",
)
WRITES = ("write_tmp", "write_outside_workdir", "write_home_dotfile", "write_project_tree")

DRIVER = """
import ctypes, dataclasses, json, sys
from sim.sandbox import Limits, iter_run, process
from sim.settings import RunSettings
limits = Limits(cpu_seconds=5, wall_seconds=30, memory_bytes=3 << 29)
sibling = process.spawn(limits)      # an idle child, as another session's run would be
out = {}
for name, source in json.load(sys.stdin).items():
    events = iter_run(source, RunSettings(episodes=1, video=False, limits=limits),
                      filename=name + ".py", stream_frames=False)
    out[name] = [dict(dataclasses.asdict(e), event=type(e).__name__) for e in events]
sibling.dispose()
out["dumpable"] = ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)   # PR_GET_DUMPABLE
print(json.dumps(out))
"""


NOBODY = 65534


def _system_python() -> tuple[str | None, str]:
    """(a python of this version that other users can run, "") or (None, why there is none)."""
    if os.geteuid() != 0:
        return None, "tests do not run as root: no other user to switch to"
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    for folder in ("/usr/bin", "/usr/local/bin"):
        exe = Path(folder) / version
        if exe.exists() and not isolation._untraversable_ancestors(exe.resolve()):
            return str(exe), ""
    return None, f"no {version} readable by other users in /usr/bin or /usr/local/bin"


def _unprivileged_app(base: Path, owner: int = NOBODY) -> tuple[str, Path]:
    """A venv of the system python whose .pth points at this venv's packages, and a copy of sim/
    and assets/ owned by `owner` (its "app") -> (python path, app root). Other users can run both,
    so a root caller's child can drop to a spare uid."""
    exe, why = _system_python()
    if exe is None:
        pytest.skip(why)
    venv = base / "venv"
    made = subprocess.run([exe, "-m", "venv", "--without-pip", str(venv)], capture_output=True, text=True, timeout=120)
    if made.returncode != 0:
        pytest.skip(f"{exe} cannot make a venv: {made.stderr.strip()[-300:]}")
    here = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    hidden = [p for p in here if isolation._untraversable_ancestors(Path(p) / "x")]
    if hidden:
        pytest.skip(f"this venv's packages ({hidden[0]}) are not readable by other users")
    site = next(venv.glob("lib/python3*/site-packages"))
    (site / "gensim-tests.pth").write_text("\n".join(here) + "\n")
    app = base / "app"
    for part in ("sim", "assets"):
        shutil.copytree(REPO / part, app / part, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["chown", "-R", f"{owner}:{owner}", str(app)], check=True)
    subprocess.run(["chmod", "-R", "a+rX", str(venv)], check=True)
    return str(venv / "bin" / "python"), app


def _run_driver(argv: list[str], jobs: dict, env: dict, cwd: Path, user: int | None, timeout: float) -> dict:
    """Run the DRIVER command line `argv` as `user` (None: this user, groups unchanged) with `jobs` as
    JSON on stdin -> its JSON stdout; fails the test when it exits non-zero."""
    res = subprocess.run(
        argv,
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        env=env,
        cwd=str(cwd),
        timeout=timeout,
        user=user,
        group=user,
        extra_groups=[] if user is not None else None,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout)


def _markers(base: Path, config: str) -> dict:
    return {name: base / f"gensim-fallback-{TOKEN}-{config}-{name}" for name in FILES}


@pytest.fixture(
    scope="module",
    params=[("caller", "1"), ("caller", "0"), ("unprivileged", "1"), ("unprivileged", "0"), ("spare_uid", "0")],
    ids=["landlock", "no_landlock", "unprivileged-landlock", "unprivileged-no_landlock", "root-spare_uid-no_landlock"],
)
def run(request):
    """Run every file of FILES in a driver process for one configuration -> results dict."""
    who, landlock_flag = request.param
    config = f"{who}-{landlock_flag}"
    base = Path(tempfile.mkdtemp(prefix="gensim-fallback-", dir="/var/tmp"))
    os.chmod(base, 0o777)  # writable to everyone: only the sandbox layers may stop writes
    python, repo, user = sys.executable, REPO, None
    if who != "caller":
        try:
            python, repo = _unprivileged_app(base, NOBODY if who == "unprivileged" else 0)
        except BaseException:
            shutil.rmtree(base, ignore_errors=True)
            raise
        user = NOBODY if who == "unprivileged" else None
    home = base / "home"
    home.mkdir()
    secret = base / "secret.txt"
    secret.write_text(f"api_key={SECRET}\n")
    os.chmod(secret, 0o600)
    if user is not None:
        for path in (home, secret):
            os.chown(path, user, user)
    markers = _markers(base, config)
    jobs = {
        name: (HOSTILE_DIR / f"{name}.py")
        .read_text()
        .replace("@@MARKER@@", str(markers[name]))
        .replace("@@SECRET_FILE@@", str(secret))
        for name in FILES
    }
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "PYTHONPATH": str(repo),
        "OPENAI_API_KEY": KEY,
        "HF_TOKEN": HF_KEY,
        "GENSIM_SANDBOX_NAMESPACES": "0",
        "GENSIM_SANDBOX_LANDLOCK": landlock_flag,
    }
    source_hash = hashlib.sha256((repo / "sim" / "__init__.py").read_bytes()).hexdigest()
    # the shell stays alive (it has work after python), holding the keys in its environment
    argv = [
        "/bin/sh",
        "-c",
        'python_exe="$1"; shift; "$python_exe" "$@"; status=$?; exit $status',
        "sh",
        python,
        "-c",
        DRIVER,
    ]
    try:
        out = _run_driver(argv, jobs, env, repo, user, timeout=600)
        yield {
            "config": config,
            "events": out,
            "dumpable": out.pop("dumpable"),
            "repo": repo,
            "markers": markers,
            "source_hash": source_hash,
            "landlock_flag": landlock_flag,
        }
    finally:
        for name in WRITES:  # what an attack left where no layer stopped it
            for path in (markers[name], Path("/tmp") / markers[name].name, REPO / "sim" / (markers[name].name + ".py")):
                path.unlink(missing_ok=True)
        shutil.rmtree(base, ignore_errors=True)


def _verdict(run, name):
    events = run["events"][name]
    assert [e["event"] for e in events].count("VerdictEvent") == 1
    return events[-1]["verdict"]


def _error_text(run, name) -> str:
    err = _verdict(run, name)["error"]
    return f"{err['type']}: {err['message']}"


def _layers(run) -> dict:
    return _verdict(run, FILES[0])["isolation"]


def _landlock_on(run) -> bool:
    return _layers(run)["landlock"]["active"]


def _others_hidden(run) -> bool:
    """Whether /proc entries and files of the caller's user are closed to the child: Landlock, or
    a spare uid (the caller's processes and 0600 files are not its own)."""
    return _landlock_on(run) or _layers(run)["uid"]["active"]


def _writes_confined(run, spare_uid_suffices: bool) -> str:
    """'' when some layer must stop writes outside the work folder, else why none does. A spare
    uid protects files it does not own (the project tree), not world-writable places (/tmp)."""
    layers = _layers(run)
    if layers["landlock"]["active"] or (spare_uid_suffices and layers["uid"]["active"]):
        return ""
    who = "a spare uid" if layers["uid"]["active"] else "the caller's uid"
    return (
        f"the child runs as {who} without Landlock ({layers['landlock']['detail']}): nothing "
        "stops these writes (sim/sandbox/README.md)"
    )


def test_isolation_reports_each_layer(run):
    layers = _layers(run)
    for name in (
        "parent_protected",
        "child_protected",
        "capabilities",
        "landlock",
        "environment",
        "filesystem",
        "seccomp",
    ):
        assert isinstance(layers[name]["active"], bool) and layers[name]["detail"], name
    assert layers["parent_protected"]["active"] and run["dumpable"] == 0
    assert layers["child_protected"]["active"] and layers["capabilities"]["active"]
    assert layers["uid"]["active"] == run["config"].startswith("spare_uid")
    assert not layers["filesystem"]["active"]
    assert "no mount namespace" in layers["filesystem"]["detail"]
    if run["landlock_flag"] == "0":
        assert layers["landlock"] == {"active": False, "detail": "disabled by GENSIM_SANDBOX_LANDLOCK=0"}
    elif ABI:
        assert layers["landlock"]["active"]
        assert f"Landlock ABI {ABI}" in layers["landlock"]["detail"]
    else:
        assert not layers["landlock"]["active"]
        assert layers["landlock"]["detail"] == ABI_REASON


def test_keys_reach_no_event(run):
    """Every attack, every layer configuration: neither key in any event. Scanning every process's
    environment (leak_proc_environ) also finds the shell that started the driver; only Landlock
    or a spare uid closes /proc entries of other processes, so that file counts only there."""
    names = [n for n in FILES if n != "leak_proc_environ" or _others_hidden(run)]
    for name in names:
        text = json.dumps(run["events"][name])
        assert KEY not in text and HF_KEY not in text, name


def test_parent_and_sibling_memory_are_closed(run):
    """The driver and every child are non-dumpable and the child has no CAP_SYS_PTRACE:
    /proc/<pid>/environ, maps and mem of the caller and of another sandbox child (an idle one
    the driver started) are refused, with or without Landlock."""
    for name in ("read_parent_environ", "read_parent_memory", "read_sibling_memory"):
        assert _error_text(run, name).startswith("PermissionError"), _error_text(run, name)


def test_child_environment_is_the_allowlist(run):
    text = _error_text(run, "leak_env_error")
    assert text.startswith("RuntimeError: env: ")
    env = eval(text[len("RuntimeError: env: ") :], {})  # the repr of a dict of str
    assert set(env) <= set(isolation._FIXED_ENV) | {"HOME", "TMPDIR"}
    assert "KeyError: 'OPENAI_API_KEY'" in _error_text(run, "leak_env_stdout")


def test_other_processes_and_files_are_hidden(run):
    if not _others_hidden(run):
        pytest.skip(
            f"Landlock not active ({_layers(run)['landlock']['detail']}) and no spare "
            "uid: same-uid processes other than the caller and the caller's files stay "
            "readable (sim/sandbox/README.md)"
        )
    # Landlock refuses the /proc listing; a spare uid lists it and finds every environ closed
    assert _error_text(run, "leak_proc_environ").startswith(("PermissionError", "RuntimeError: no API key found"))
    assert KEY not in json.dumps(run["events"]["leak_proc_environ"])
    assert _error_text(run, "read_host_secret").startswith("PermissionError")
    assert SECRET not in json.dumps(run["events"]["read_host_secret"])


def test_nothing_written_outside_the_work_folder(run):
    why = _writes_confined(run, spare_uid_suffices=False)
    if why:
        pytest.skip(why)
    markers = run["markers"]
    for name in ("write_tmp", "write_outside_workdir", "write_home_dotfile"):
        assert _error_text(run, name).startswith(("PermissionError", "OSError")), name
    assert not markers["write_outside_workdir"].exists()
    assert not markers["write_home_dotfile"].exists()
    assert not (Path("/tmp") / markers["write_tmp"].name).exists()
    assert not [p for p in Path("/tmp").iterdir() if TOKEN in p.name]


def test_project_tree_untouched(run):
    why = _writes_confined(run, spare_uid_suffices=True)
    if why:
        pytest.skip(why)
    assert _error_text(run, "write_project_tree").startswith(("PermissionError", "OSError"))
    assert hashlib.sha256((run["repo"] / "sim" / "__init__.py").read_bytes()).hexdigest() == run["source_hash"]
    planted = []
    for folder, dirs, files in os.walk(run["repo"]):
        dirs[:] = [d for d in dirs if d not in (".git", ".venv")]
        planted += [Path(folder) / f for f in files if TOKEN in f]
    assert planted == []


def test_seccomp_binds_threads_started_before_it(run):
    """The heartbeat thread starts before the filter; TSYNC puts it under the filter too."""
    if not _layers(run)["seccomp"]["active"]:
        pytest.skip(f"seccomp not active: {_layers(run)['seccomp']['detail']}")
    assert _error_text(run, "hijack_heartbeat").startswith("PermissionError"), _error_text(run, "hijack_heartbeat")


# ------------------------------------------------------------------ the Landlock layer itself

_PROBE = """
import json, os, sys
from pathlib import Path
from sim.sandbox import landlock
workdir, outside, repo = (Path(p) for p in sys.argv[1:4])
layer = landlock.confine_child(workdir)
def attempt(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return type(e).__name__
print(json.dumps({"layer": layer, "results": {
    "write workdir": attempt(lambda: (workdir / "f").write_text("x")),
    "read sim": attempt(lambda: (repo / "sim" / "__init__.py").read_bytes()),
    "read own /proc": attempt(lambda: open("/proc/self/status").read()),
    "write outside": attempt(lambda: (outside / "f").write_text("x")),
    "read repo root file": attempt(lambda: (repo / "README.md").read_bytes()),
    "read parent /proc": attempt(lambda: open(f"/proc/{os.getppid()}/cmdline").read()),
    "exec": attempt(lambda: os.execv("/bin/true", ["true"]))}}))
"""


@pytest.mark.skipif(not ABI, reason=f"kernel without Landlock here: {ABI_REASON}")
def test_landlock_rules(tmp_path):
    workdir, outside = tmp_path / "work", tmp_path / "outside"
    workdir.mkdir()
    outside.mkdir()
    res = subprocess.run(
        [sys.executable, "-c", _PROBE, str(workdir), str(outside), str(REPO)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(REPO),
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
    )
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout)
    assert out["layer"]["active"], out["layer"]
    assert out["results"] == {
        "write workdir": "ok",
        "read sim": "ok",
        "read own /proc": "ok",
        "write outside": "PermissionError",
        "read repo root file": "PermissionError",
        "read parent /proc": "PermissionError",
        "exec": "PermissionError",
    }
    assert not (outside / "f").exists()


def test_landlock_degrades_with_a_reason(monkeypatch, tmp_path):
    def enosys(*args):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(landlock, "_syscall", enosys)
    assert landlock.abi_version() == (0, "kernel without Landlock (Linux < 5.13, or not built in)")
    assert landlock.confine_child(tmp_path) == {
        "active": False,
        "detail": "kernel without Landlock (Linux < 5.13, or not built in)",
    }
    assert landlock.confine_child(tmp_path, wanted=False)["detail"] == "disabled by GENSIM_SANDBOX_LANDLOCK=0"


def test_child_rules_cover_the_simulator_not_the_repository(tmp_path):
    rules = landlock.child_rules(tmp_path)
    assert rules[str(tmp_path)] == landlock.WRITE
    assert rules[str(REPO / "sim")] == landlock.READ
    assert str(REPO) not in rules
    assert all(not r & landlock.WRITE_FILE for p, r in rules.items() if p not in (str(tmp_path), "/dev/null"))
    executable = [p for p, r in rules.items() if r & landlock.EXECUTE]
    assert all(Path(p).is_file() for p in executable)
    assert landlock.elf_interpreter(REPO / "README.md") is None
    interp = landlock.elf_interpreter(Path(sys.executable).resolve())
    assert interp is None or Path(interp).exists()


# ------------------------------------------------------------------ a Space-like container

# What Docker's default seccomp profile denies a container without CAP_SYS_ADMIN: creating
# namespaces and mounting. Installed in the driver, it binds bwrap and the sandbox child too.
CONTAINER_PROFILE = """
import errno, pyseccomp as sc
f = sc.SyscallFilter(sc.ALLOW)
for name in ("unshare", "setns", "mount", "umount2", "pivot_root"):
    f.add_rule(sc.ERRNO(errno.EPERM), name)
for flag in (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000):
    f.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))  # CLONE_NEW*
f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
f.load()
"""


def test_space_like_container_falls_back_with_reasons():
    """As uid 65534 under that profile, with bwrap installed and namespaces requested: bwrap is
    refused, the run falls back and says why, and the fallback layers are active."""
    if shutil.which("bwrap") is None:
        pytest.skip("bwrap not installed: cannot show it being refused")
    if not isolation._flag("GENSIM_SANDBOX_SECCOMP") or not _seccomp_available():
        pytest.skip("pyseccomp/libseccomp unavailable: cannot emulate the container profile")
    base = Path(tempfile.mkdtemp(prefix="gensim-fallback-", dir="/var/tmp"))
    try:
        os.chmod(base, 0o777)
        python, app = _unprivileged_app(base)
        source = (REPO / "sim" / "tasks" / "place_red_in_green.py").read_text()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(base),
            "PYTHONPATH": str(app),
            "OPENAI_API_KEY": KEY,
        }
        argv = [python, "-c", CONTAINER_PROFILE + DRIVER]
        out = _run_driver(argv, {"place_red_in_green": source}, env, app, NOBODY, timeout=300)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    verdict = out["place_red_in_green"][-1]["verdict"]
    layers = verdict["isolation"]
    assert verdict["success"], verdict["error"]
    assert "namespaces unavailable" in layers["filesystem"]["detail"]
    assert not layers["filesystem"]["active"] and not layers["network"]["active"]
    assert layers["parent_protected"]["active"] and layers["capabilities"]["active"]
    assert layers["seccomp"]["active"]
    assert layers["landlock"]["active"] == bool(ABI)
    assert KEY not in json.dumps(out)


def _seccomp_available() -> bool:
    try:
        import pyseccomp  # noqa: F401
    except Exception:  # e.g. libseccomp.so.2 missing
        return False
    return True
