"""Start `python app.py` on a free loopback port for end-to-end tests, and stop it afterwards."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request

from tests.subprocesses import ROOT, free_port, stop_process

ARTIFACTS = ROOT / "test-artifacts"
# Deployment settings of the test machine's own environment must not leak into a test's app.
DEPLOYMENT_VARS = (
    "OPENAI_API_KEY",
    "GENSIM_BASE_URL",
    "GENSIM_MODEL",
    "SPACE_ID",
    "GENSIM_PUBLIC",
    "GENSIM_BACKENDS",
    "GENSIM_ALLOW_VISITOR_ENDPOINTS",
    "GENSIM_LOCAL_MODELS",
    "GENSIM_OPERATOR_TOKEN",
    "GENSIM_TRUSTED_PROXY_HOPS",
    "GENSIM_ALLOW_UNCONFINED",
)


@contextlib.contextmanager
def serve_app(log_name: str, **env_vars):
    """Run the app with `env_vars` added to a cleaned environment; yields (url, pid, seconds to the
    first HTTP 200). Its output goes to test-artifacts/`log_name`. Fails when it does not answer in 120 s."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARS}
    env.update(
        PORT=str(port),
        GRADIO_SERVER_NAME="127.0.0.1",
        GRADIO_ANALYTICS_ENABLED="False",
        GENSIM_CONCURRENCY="2",
        **env_vars,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / log_name, "w")
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            assert proc.poll() is None, (ARTIFACTS / log_name).read_text()
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                assert time.monotonic() - start < 120, "app did not answer within 120 s"
                time.sleep(0.2)
        yield url, proc.pid, time.monotonic() - start
    finally:
        stop_process(proc)
        log.close()
