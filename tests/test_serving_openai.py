"""serving.openai_compat against a real `transformers serve` on loopback (tiny model), and against a
scripted HTTP server for retries and key hygiene."""

import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from serving import BackendError, GenerationParams, make_backend
from serving.vllm import wait_healthy
from tests.subprocesses import free_port, stop_process
from tests.tinymodel import build_tiny_model

SECRET = "sk-test-0123456789abcdefSECRETSECRET"
STARTUP_SECONDS = 120  # about 7 s on an idle machine; much more on a loaded one


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.getbasetemp() / "tinymodel")


@pytest.fixture(scope="module")
def served(tiny_model, tmp_path_factory):
    """`transformers serve` pinned to the tiny model; yields (base_url, model id)."""
    exe = Path(sys.executable).parent / "transformers"
    if not exe.exists():
        pytest.skip(f"`transformers serve` is not installed ({exe} missing)")
    port = free_port()
    # An empty hub cache keeps /v1/models from failing on a missing ~/.cache; offline: no downloads.
    env = dict(os.environ, HF_HUB_CACHE=str(tmp_path_factory.mktemp("hfcache")), HF_HUB_OFFLINE="1")
    log = tmp_path_factory.getbasetemp() / "transformers-serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(exe), "serve", str(tiny_model), "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_healthy(base_url, STARTUP_SECONDS, process, interval=0.5)
    except (TimeoutError, RuntimeError) as exc:
        process.kill()
        process.wait()
        pytest.skip(f"`transformers serve` could not start here: {exc}; log: {log.read_text()[-500:]}")
    yield base_url, str(tiny_model)
    stop_process(process)


@pytest.fixture(scope="module")
def backend(served):
    base_url, model = served
    return make_backend("openai", base_url=base_url, model=model, retries=0)


def user(text):
    return [{"role": "user", "content": text}]


def ascii_window(text, start=4, size=3):
    """A stop string taken from inside `text` (letters only, so no partial UTF-8 byte is involved)."""
    for i in range(start, len(text) - size):
        if text[i : i + size].isalpha() and text[i : i + size].isascii():
            return text[i : i + size]
    pytest.fail(f"no ASCII window in {text!r}")


def test_chat_stream_equals_chat(backend):
    params = GenerationParams(max_tokens=12)
    answer = backend.chat(user("[stage: proposal]\nhello"), params)
    assert len(answer) == 1 and len(answer[0]) > 0
    deltas = list(backend.stream_chat(user("[stage: proposal]\nhello"), params))
    assert len(deltas) > 1 and "".join(deltas) == answer[0]


def test_chat_stop_strings_and_n(backend):
    full = backend.chat(user("hello"), GenerationParams(max_tokens=16))[0]
    stop = ascii_window(full)
    expected = full[: full.find(stop)]
    params = GenerationParams(max_tokens=16, stop=[stop], n=2)
    assert backend.chat(user("hello"), params) == [expected, expected]  # server returns 1 choice: topped up
    assert "".join(backend.stream_chat(user("hello"), GenerationParams(max_tokens=16, stop=[stop]))) == expected


def test_completion_endpoint(backend, served):
    prompt = "class BuildCar(Task):"
    full = backend.complete(prompt, GenerationParams(max_tokens=12))[0]
    assert full and "".join(backend.stream_complete(prompt, GenerationParams(max_tokens=12))) == full
    stop = ascii_window(full, start=2)
    assert backend.complete(prompt, GenerationParams(max_tokens=12, stop=[stop])) == [full[: full.find(stop)]]
    # prompt_format="completion" sends the chat as one prompt; with the bare GenSim instruction the
    # plain format is the instruction itself, so the answer equals a direct completion of it.
    base_url, model = served
    as_completion = make_backend("openai", base_url=base_url, model=model, prompt_format="completion")
    assert as_completion.chat(user(prompt), GenerationParams(max_tokens=12)) == [full]


def test_unknown_model_is_a_clear_error(served):
    base_url, _ = served
    wrong = make_backend("openai", base_url=base_url, model="no-such-model", api_key=SECRET, retries=0)
    with pytest.raises(BackendError, match=r"answered HTTP 4\d\d") as info:
        wrong.chat(user("hi"))
    assert SECRET not in str(info.value)


# -- scripted server: retries, back-off and key hygiene -------------------------------------------
class Scripted(BaseHTTPRequestHandler):
    """Answers POSTs from `script`: a list of (status, body) consumed in order; records auth headers."""

    script: list = []
    seen: list = []
    bodies: list = []

    def do_POST(self):
        Scripted.bodies.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
        Scripted.seen.append(self.headers.get("Authorization", ""))
        status, body = Scripted.script.pop(0)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("retry-after-ms", "10")  # the SDK's retries honour it: fast tests
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


OK = {
    "id": "x",
    "object": "chat.completion",
    "created": 0,
    "model": "m",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "fine STOP x"}}],
}


@pytest.fixture
def scripted():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    Scripted.seen.clear()
    Scripted.bodies.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_transient_errors_are_retried(scripted):
    Scripted.script = [
        (503, {"error": {"message": "overloaded"}}),
        (429, {"error": {"message": "slow down"}}),
        (200, OK),
    ]
    backend = make_backend("openai", base_url=scripted, model="m", api_key=SECRET, retries=2)
    assert backend.chat(user("hi"), GenerationParams(stop=["STOP"])) == ["fine "]
    assert len(Scripted.seen) == 3 and Scripted.seen[0] == f"Bearer {SECRET}"


def test_switches_to_max_completion_tokens_when_asked(scripted):
    refusal = {
        "error": {
            "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead."
        }
    }
    Scripted.script = [(400, refusal), (200, OK), (200, OK)]
    backend = make_backend("openai", base_url=scripted, model="m", retries=0)
    assert backend.chat(user("hi"), GenerationParams(max_tokens=7)) == ["fine STOP x"]
    assert backend.chat(user("again"), GenerationParams(max_tokens=7)) == ["fine STOP x"]
    assert Scripted.bodies[0]["max_tokens"] == 7
    assert [b.get("max_completion_tokens") for b in Scripted.bodies[1:]] == [7, 7]
    assert "max_tokens" not in Scripted.bodies[2]


def test_retries_give_up_with_count(scripted):
    Scripted.script = [(500, {"error": {"message": "boom"}})] * 2
    backend = make_backend("openai", base_url=scripted, model="m", retries=1)
    with pytest.raises(BackendError, match=r"HTTP 500: boom \(gave up after 1 retries\)"):
        backend.chat(user("hi"))
    assert len(Scripted.seen) == 2


def test_key_never_in_errors_or_logs(scripted, caplog):
    # The worst case: a server that quotes the key back in its error message.
    Scripted.script = [
        (401, {"error": {"message": f"Incorrect API key provided: {SECRET}"}}),
        (400, {"error": {"message": f"bad request from key {SECRET[:8]}...{SECRET[-8:]}"}}),
    ]
    backend = make_backend("openai", base_url=scripted, model="m", api_key=SECRET, retries=3)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(BackendError) as unauthorized:
            backend.chat(user("hi"))
        with pytest.raises(BackendError) as bad:
            backend.complete("hi")
    assert len(Scripted.seen) == 2  # 4xx is not retried
    assert "rejected the API key" in str(unauthorized.value)
    for text in (str(unauthorized.value), str(bad.value), repr(backend), caplog.text):
        assert SECRET not in text and SECRET[:8] not in text and SECRET[-8:] not in text
    assert "bad request" in str(bad.value)


def test_unreachable_server():
    backend = make_backend("openai", base_url=f"http://127.0.0.1:{free_port()}/v1", model="m", retries=1)
    with pytest.raises(BackendError, match=r"cannot reach .*\(gave up after 1 retries\)"):
        list(backend.stream_chat(user("hi")))
