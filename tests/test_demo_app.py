"""End-to-end tests of `python app.py`: started on loopback, driven by gradio_client and Chromium.

One app process serves the whole module. The start-up time (process start to first HTTP 200) is
written to test-artifacts/app-startup.txt; the browser test's screenshot lands there too.
"""

import threading
import time
import urllib.request
from pathlib import Path

import imageio.v3 as iio
import pytest

from tests.app_process import ARTIFACTS, serve_app
from tests.fake_openai import FakeOpenAI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IDEA = "put the red block in the green bowl"
# One episode per generation keeps the module near a minute of CPU on a small machine.
FAST = {"backend_kind": "offline", "episodes": 1, "repair_attempts": 1}
# The server runs with an OpenAI configuration in its environment (unreachable port 9): it must be
# preselected, and this key must never reach a page, a response or the log.
ENV_KEY = "sk-env-never-shown-9876543210"
ENV_BASE_URL = "http://127.0.0.1:9/v1"


def _recording_processes(server_pid: int) -> list[int]:
    """Pids of a sandbox run below `server_pid`: an ffmpeg process (only a run that records
    video has one; an idle pre-started sandbox child does not) and its parent, read from /proc."""
    parent, name = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        pid = int(stat.parent.name)
        name[pid] = text[text.index("(") + 1 : text.rindex(")")]
        parent[pid] = int(text.rsplit(")", 1)[1].split()[1])

    def below_server(pid):
        while pid in parent and pid > 1:
            pid = parent[pid]
            if pid == server_pid:
                return True
        return False

    found = [p for p, n in name.items() if n.startswith("ffmpeg") and below_server(p)]
    return found + [parent[p] for p in found]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def app_server():
    with serve_app("app-server.log", OPENAI_API_KEY=ENV_KEY, GENSIM_BASE_URL=ENV_BASE_URL, GENSIM_MODEL="nobody") as (
        url,
        pid,
        seconds,
    ):
        (ARTIFACTS / "app-startup.txt").write_text(f"{seconds:.2f} s to first HTTP 200\n")
        yield url, pid


@pytest.fixture(scope="module")
def app_url(app_server):
    return app_server[0]


def _client(url):
    from gradio_client import Client

    return Client(url, verbose=False)


def _generate(url, idea, **kwargs):
    """Call /generate; returns its outputs by name (demo.handlers.GENERATE_OUTPUTS minus state)."""
    out = _client(url).predict(idea, **(FAST | kwargs), api_name="/generate")
    names = ["stages", "code", "spec", "frame", "video", "verdict", "verdict_json", "attempts", "log"]
    assert len(out) == len(names)
    return dict(zip(names, out))


def _video_path(value):
    return value.get("video") if isinstance(value, dict) else value


def _assert_video(value):
    path = _video_path(value)
    assert path and Path(path).suffix == ".mp4", value
    frames = iio.imread(path, plugin="FFMPEG", index=None)  # imageio-ffmpeg decodes every frame
    assert frames.ndim == 4 and frames.shape[0] > 5 and frames.shape[-1] == 3


def test_generate_offline_idea_gives_code_success_and_video(app_url):
    out = _generate(app_url, IDEA)
    assert "class " in out["code"] and "Task" in out["code"], out["verdict"]
    assert out["verdict_json"]["success"] is True, out["verdict"]
    assert "SUCCESS" in out["verdict"]
    _assert_video(out["video"])


@pytest.mark.parametrize(
    "idea, message",
    [
        ("", "describe a task"),
        ("x" * (1 << 20), "characters long"),
        ("stack\x00 the blocks", "control character"),
    ],
)
def test_bad_ideas_get_a_message_and_the_app_keeps_serving(app_url, idea, message):
    out = _generate(app_url, idea)
    assert message in out["verdict"].lower() and out["verdict_json"] is None
    urllib.request.urlopen(app_url, timeout=5).close()


def test_environment_preselects_openai_without_sending_its_key(app_url):
    page = urllib.request.urlopen(app_url + "config", timeout=10).read().decode()
    assert ENV_BASE_URL in page and '"nobody"' in page and ENV_KEY not in page
    info = _client(app_url).view_api(print_info=False, return_format="dict")
    params = {p["parameter_name"]: p for p in info["named_endpoints"]["/generate"]["parameters"]}
    assert params["backend_kind"]["parameter_default"] == "openai"
    assert params["api_key"]["parameter_default"] == ""


def test_openai_backend_without_server_reports_error_without_the_key(app_url):
    key = "sk-test-do-not-echo-0123456789"
    out = _generate(app_url, IDEA, backend_kind="openai", api_key=key, repair_attempts=0)
    assert key not in repr(out)
    assert "gs-msg-error" in out["verdict"] and out["verdict_json"] is None
    log = (ARTIFACTS / "app-server.log").read_text()
    assert key not in log and ENV_KEY not in log and ENV_KEY not in repr(out)


def test_visitor_base_url_never_receives_the_servers_key(app_url):
    # The server's key belongs to ENV_BASE_URL; a visitor's own server must not get it.
    with FakeOpenAI() as visitor:
        out = _generate(
            app_url,
            IDEA,
            backend_kind="openai",
            base_url=visitor.base_url,
            model="fake-model",
            api_key="",
            repair_attempts=0,
        )
    assert visitor.requests, out["verdict"]
    assert not any(ENV_KEY in value for value in visitor.header_values())
    assert ENV_KEY not in repr(out)


def test_four_concurrent_sessions_get_their_own_task(app_url):
    ideas = {
        "red-green": ("put the red block in the green bowl", ("red", "green")),
        "blue-yellow": ("put the blue block in the yellow bowl", ("blue", "yellow")),
        "stack": ("stack three blocks into a tower", ("stack",)),
        "pallet": ("place the yellow block on the pallet", ("pallet",)),
    }
    results = {}

    def work(key, idea):
        try:
            results[key] = _generate(app_url, idea)
        except Exception as exc:  # reported by the main thread
            results[key] = exc

    threads = [threading.Thread(target=work, args=(k, v[0])) for k, v in ideas.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    videos = set()
    for key, (_, words) in ideas.items():
        out = results[key]
        assert not isinstance(out, Exception), out
        assert out["verdict_json"] and out["verdict_json"]["success"], (key, out["verdict"])
        code = out["code"].lower()
        assert all(w in code for w in words), (key, words)
        _assert_video(out["video"])
        videos.add(_video_path(out["video"]))
    assert len(videos) == 4


def test_cancel_ends_the_run_and_its_sandbox_process(app_server):
    url, pid = app_server
    # A six-action task over 10 episodes runs for a minute: the sandbox is surely seen before it ends.
    job = _client(url).submit(
        "build a pyramid out of six blocks",
        backend_kind="offline",
        episodes=10,
        repair_attempts=0,
        api_name="/generate",
    )
    deadline = time.monotonic() + 120
    while not (run := _recording_processes(pid)):  # the sandbox of this run, recording
        assert not job.done(), f"run ended before its sandbox was seen: {job.result()[5]}"
        assert time.monotonic() < deadline, "no sandbox run appeared"
        time.sleep(0.1)
    job.cancel()
    deadline = time.monotonic() + 30
    while any(_alive(p) for p in run):
        assert time.monotonic() < deadline, f"sandbox run still alive: {run}"
        time.sleep(0.2)
    urllib.request.urlopen(url, timeout=5).close()


def test_run_library_task(app_url):
    out = _client(app_url).predict("put-block-in-bowl", 1, 0, "320x240", api_name="/run_task")
    stages, code, frame, video, verdict, verdict_json = out
    assert "class PutBlockInBowl" in code
    assert verdict_json["success"] is True, verdict
    _assert_video(video)
    bad = _client(app_url).predict("no-such-task", 1, 0, "320x240", api_name="/run_task")
    assert "valid names" in bad[4]


@pytest.mark.browser
def _browser_generate(app_url, idea, screenshot):
    """Generate `idea` with the offline backend in Chromium; returns (verdict title, verdict panel text)
    once the verdict shows, after checking the video plays and saving a screenshot."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(app_url)
            page.get_by_label("Offline", exact=False).check()  # the environment preselected OpenAI
            page.locator("#gs-idea textarea").fill(idea)
            page.locator("#gs-generate").click()
            title = page.locator("#gs-verdict [data-testid=verdict-title]")
            title.wait_for(timeout=240_000)
            video = page.locator("#gs-video video")
            video.wait_for(timeout=30_000)
            assert video.get_attribute("src")
            page.wait_for_timeout(1500)  # let the first video frame paint for the screenshot
            page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
            return title.inner_text(), page.locator("#gs-verdict").inner_text()
        finally:
            browser.close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_browser_generate_shows_success_and_video(app_url):
    title, panel = _browser_generate(app_url, IDEA, "app-generate.png")
    assert title == "SUCCESS" and "approximated" not in panel


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_browser_approximated_idea_shows_summary_and_badge(app_url):
    # A cup is not an asset: the task uses a bowl and says so above the verdict.
    title, panel = _browser_generate(app_url, "put the ball in the cup", "app-approximated.png")
    assert title == "SUCCESS" and "approximated" in panel.lower() and "bowl" in panel.lower()
