"""Usage: python -m benchmarks.load_app [--sessions 8 16 32] [--ideas 2] [--soak MINUTES] [--concurrency N]

Load on `python app.py` (offline backend, private mode) through `gradio_client`, as many visitors
would: for each session count S, S clients (one Gradio session each) start together and each sends
its K ideas one after another ("put the <a> block in the <b> bowl", a colour pair unique to that
session and idea, 1 episode, no repair, 320x240 video). Each answer must be its own idea's: the
understood spec says "Put the <a> block in the <b> bowl." and the code colours the block <a> and the
bowl <b> (no cross-talk between sessions); the verdict must be a success. Prints, per round:
answered (own idea, success) / wrong (another idea's answer or not a success) / "queue full" /
errors, latency p50/p95 (submit to final output), the app's RSS before and after, and the entries of
its temp dir. `--soak M` then keeps 8 sessions busy for M minutes and prints the RSS growth over the
soak (baseline: after the rounds above, when imports and caches are warm) and what the app left in
its temp dir after it stopped.

The app runs with a private TMPDIR (and Gradio's cache under it), so the temp-dir counts are the app's
own and not those of other programs sharing the host's /tmp. Kept videos (demo.handlers.VIDEO_DIR)
and Gradio's cached outputs stay for an hour by design and are counted apart from leftovers
(sandbox work folders, templated assets, anything else).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from gradio_client import Client
from gradio_client.utils import QueueError

from serving.offline.lexicon import COLORS

ROOT = Path(__file__).resolve().parents[1]

EPISODES, VIDEO_SIZE = 1, "320x240"
# Kept on purpose for an hour: the app's kept mp4s and Gradio's copies of outputs it served.
KEPT_BY_DESIGN = ("gensim-app-videos", "gradio")


def colour_pair(index: int) -> tuple[str, str]:
    """The index-th ordered pair of distinct colours (16 x 15 = 240 pairs before they repeat)."""
    a, b = divmod(index % (len(COLORS) * (len(COLORS) - 1)), len(COLORS) - 1)
    return COLORS[a], [c for c in COLORS if c != COLORS[a]][b]


def own_answer(out: tuple, block: str, bowl: str) -> bool:
    """Whether /generate's outputs (demo.handlers.GENERATE_OUTPUTS minus state) answer this idea
    and succeeded: the spec's summary names these colours in these roles, and so do the code's
    language goal and its colour lists."""
    names = ["stages", "code", "spec", "frame", "video", "verdict", "verdict_json", "attempts", "log"]
    got = dict(zip(names, out))
    summary = ((got["spec"] or {}).get("understanding") or {}).get("summary", "")
    code = got["code"] or ""
    return (
        summary == f"Put the {block} block in the {bowl} bowl."
        and f"language_goal='put the {block} block in the {bowl} bowl'" in code
        and f"for color in [{block!r}]" in code
        and f"for color in [{bowl!r}]" in code
        and bool((got["verdict_json"] or {}).get("success"))
    )


def rss_mib(pid: int) -> float:
    """Resident set size of process `pid` in MiB (/proc/<pid>/status VmRSS)."""
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1)) / 1024


def tmp_entries(tmp: Path) -> dict[str, int]:
    """Entries of `tmp`: top-level names of leftovers, plus file counts of the kept-by-design folders."""
    kept = {name: sum(1 for p in (tmp / name).rglob("*") if p.is_file()) for name in KEPT_BY_DESIGN}
    others = sorted(p.name for p in tmp.iterdir() if p.name not in KEPT_BY_DESIGN)
    return {"kept_files": kept, "others": others}


class App:
    """`python app.py` on a free loopback port with a private temp dir; `stop()` sends SIGTERM."""

    def __init__(self, concurrency: int, tmp: Path, extra_env: dict[str, str]):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GENSIM_", "OPENAI_", "SPACE_ID"))}
        env.update(
            PORT=str(self.port),
            GRADIO_SERVER_NAME="127.0.0.1",
            GRADIO_ANALYTICS_ENABLED="False",
            GENSIM_CONCURRENCY=str(concurrency),
            TMPDIR=str(tmp),
            GRADIO_TEMP_DIR=str(tmp / "gradio"),
            **extra_env,
        )
        self.log = open(tmp.parent / "app.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.url = f"http://127.0.0.1:{self.port}/"
        deadline = time.monotonic() + 180
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"app exited with {self.proc.returncode}; see {self.log.name}")
            try:
                urllib.request.urlopen(self.url, timeout=2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("app did not answer within 180 s") from None
                time.sleep(0.3)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Tally:
    """Outcomes and latencies of the calls of one round (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answered = self.wrong = self.queue_full = self.errors = 0
        self.latencies: list[float] = []
        self.messages: list[str] = []

    def call(self, client, block: str, bowl: str) -> None:
        idea = f"put the {block} block in the {bowl} bowl"
        t0 = time.monotonic()
        try:
            out = client.predict(
                idea,
                backend_kind="offline",
                episodes=EPISODES,
                repair_attempts=0,
                video_size=VIDEO_SIZE,
                api_name="/generate",
            )
            outcome = "answered" if own_answer(out, block, bowl) else "wrong"
            message = "" if outcome == "answered" else f"{idea}: {str(out[5])[:300]}"
        except Exception as exc:  # every failure is counted, none ends the round
            full = isinstance(exc, QueueError) or "queue is full" in str(exc).lower()
            outcome, message = ("queue_full" if full else "errors"), f"{idea}: {type(exc).__name__}: {exc}"[:300]
        with self.lock:
            setattr(self, outcome, getattr(self, outcome) + 1)
            if outcome == "answered":
                self.latencies.append(time.monotonic() - t0)
            if message:
                self.messages.append(message)

    def line(self) -> str:
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) if lat else float("nan")
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))] if lat else float("nan")
        return (
            f"answered {self.answered}, wrong {self.wrong}, queue full {self.queue_full}, errors {self.errors}; "
            f"latency p50 {p50:.1f} s, p95 {p95:.1f} s"
        )


def clients(url: str, count: int) -> list:
    return [Client(url, verbose=False) for _ in range(count)]


def load_round(url: str, sessions: int, ideas: int, first_pair: int) -> tuple[Tally, float]:
    """`sessions` clients at once, each sending `ideas` ideas in turn; returns (tally, wall seconds)."""
    tally, pool = Tally(), clients(url, sessions)

    def session(i: int, client) -> None:
        for k in range(ideas):
            tally.call(client, *colour_pair(first_pair + i * ideas + k))

    threads = [threading.Thread(target=session, args=(i, c)) for i, c in enumerate(pool)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally, time.monotonic() - t0


def soak(url: str, minutes: float, sessions: int, first_pair: int, pid: int) -> tuple[Tally, list[float]]:
    """`sessions` clients sending ideas back to back until `minutes` have passed; returns the tally
    and the app's RSS in MiB sampled once a minute (first sample at the start)."""
    tally, pool, deadline = Tally(), clients(url, sessions), time.monotonic() + minutes * 60

    def session(i: int, client) -> None:
        k = 0
        while time.monotonic() < deadline:
            tally.call(client, *colour_pair(first_pair + i * 1000 + k))
            k += 1

    threads = [threading.Thread(target=session, args=(i, c)) for i, c in enumerate(pool)]
    samples, next_sample = [rss_mib(pid)], time.monotonic() + 60
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        time.sleep(1)
        if next_sample <= time.monotonic() < deadline:
            samples.append(rss_mib(pid))
            next_sample += 60
    return tally, samples + [rss_mib(pid)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="*", default=[8, 16, 32], help="session counts, one round each")
    parser.add_argument("--ideas", type=int, default=2, help="ideas per session per round (sent one after another)")
    parser.add_argument("--soak", type=float, default=0.0, help="minutes of an 8-session soak after the rounds")
    parser.add_argument("--soak-sessions", type=int, default=8)
    parser.add_argument(
        "--concurrency", type=int, default=os.cpu_count() or 1, help="GENSIM_CONCURRENCY (default: CPUs, as the app)"
    )
    parser.add_argument("--app-env", nargs="*", default=[], metavar="NAME=VALUE", help="extra environment of the app")
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.app_env)

    work = Path(tempfile.mkdtemp(prefix="load-app-"))
    tmp = work / "tmp"
    tmp.mkdir()
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; "
        f"app: offline backend, concurrency {args.concurrency}, {EPISODES} episode, video {VIDEO_SIZE}"
        + (f", environment {extra_env}" if extra_env else ""),
        flush=True,
    )
    t0 = time.monotonic()
    app = App(args.concurrency, tmp, extra_env)
    print(f"app up in {time.monotonic() - t0:.1f} s, RSS {rss_mib(app.proc.pid):.0f} MiB, temp dir {tmp_entries(tmp)}")
    ok = True
    try:
        pair = 0
        for sessions in args.sessions:
            before = rss_mib(app.proc.pid)
            tally, wall = load_round(app.url, sessions, args.ideas, pair)
            pair += sessions * args.ideas
            print(
                f"{sessions:>3} sessions x {args.ideas} ideas: {tally.line()}; wall {wall:.0f} s; "
                f"RSS {before:.0f} -> {rss_mib(app.proc.pid):.0f} MiB; "
                f"load average {os.getloadavg()[0]:.1f}; temp dir {tmp_entries(tmp)}",
                flush=True,
            )
            for message in tally.messages[:5]:
                print("   ", message)
            ok &= tally.answered == sessions * args.ideas
        if args.soak:
            tally, samples = soak(app.url, args.soak, args.soak_sessions, pair, app.proc.pid)
            start, end = samples[0], samples[-1]
            growth = 100 * (end - start) / start
            print(
                f"soak {args.soak:g} min x {args.soak_sessions} sessions: {tally.line()}; "
                f"RSS {start:.0f} -> {end:.0f} MiB ({growth:+.1f} %, target < 10 %); "
                f"RSS each minute {' '.join(f'{m:.0f}' for m in samples)} MiB; "
                f"load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            for message in tally.messages[:5]:
                print("   ", message)
            ok &= growth < 10 and tally.wrong == tally.errors == 0
    finally:
        app.stop()
        after = tmp_entries(tmp)
        print(f"after the app stopped: temp dir {after}; leftovers: {after['others'] or 'none'}")
        ok &= not after["others"]
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept for a look: {work} (app.log)")
    print("OK" if ok else "FAILED: see the figures above")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
