"""The server's key stays with its URL, public mode limits what visitors may do, secrets are never shown.

Every server here is a local fake (tests/fake_openai.py); no traffic leaves the machine.
"""

import socket

import httpcore2
import pytest

from demo import handlers
from demo.deployment import APP_RETRIES, APP_TIMEOUT_S, Deployment, InputError, LocalModel
from serving import egress
from serving.openai_compat import OpenAIBackend
from serving.secrets import normalise_url, scrub, server_key_for
from tests.app_process import DEPLOYMENT_VARS
from tests.fake_openai import FakeOpenAI

SERVER_KEY = "sk-server-secret-0123456789abcdef"
IDEA = "put the red block in the green bowl"
QUICK = dict(temperature=0, repair_attempts=0, episodes=1, seed=0, video_size="320x240")


@pytest.fixture
def server_env(monkeypatch):
    """The app's environment as on a Space with a secret: OPENAI_API_KEY set, nothing else."""
    for name in DEPLOYMENT_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", SERVER_KEY)
    # Whether this host's sandbox confines files is tested on its own below; here it does.
    monkeypatch.setattr("demo.deployment.filesystem_confinement", lambda: (True, "test host"))
    return monkeypatch


def _run_generate(deployment, monkeypatch, base_url, api_key="", model="fake-model", kind="openai", request=None):
    """Drive the UI handler to the end; returns the last update's verdict HTML."""
    monkeypatch.setattr(handlers, "DEPLOYMENT", deployment)
    outputs = list(handlers.generate(IDEA, kind, base_url, model, api_key, "", "", request=request, **QUICK))
    return outputs[-1][handlers.GENERATE_OUTPUTS.index("verdict")]


# -- the key stays with its URL ----------------------------------------------------------------------
def test_server_key_is_only_for_the_servers_own_endpoint(server_env):
    assert server_key_for(None) == SERVER_KEY
    assert server_key_for("HTTPS://API.OpenAI.com:443/v1/") == SERVER_KEY
    assert server_key_for("http://127.0.0.1:7999/v1") is None
    assert server_key_for("https://api.openai.com.evil.example/v1") is None
    server_env.setenv("GENSIM_BASE_URL", "http://127.0.0.1:8000/v1")
    assert server_key_for("http://127.0.0.1:8000/v1/") == SERVER_KEY
    assert server_key_for("https://api.openai.com/v1") is None  # no longer the server's endpoint
    assert normalise_url("http://[::1]:80/v1/") == "http://[::1]/v1"


def test_visitor_endpoint_never_receives_the_server_key_through_the_ui_handler(server_env):
    with FakeOpenAI() as visitor:
        verdict = _run_generate(Deployment.from_env(), server_env, visitor.base_url)
    assert visitor.requests, "the handler never called the visitor's server"
    assert not any(SERVER_KEY in value for value in visitor.header_values())
    assert SERVER_KEY not in verdict


def test_servers_own_endpoint_does_receive_the_key(server_env):
    # The positive control: the same path delivers the key where it belongs, so the test above can fail.
    with FakeOpenAI() as own:
        server_env.setenv("GENSIM_BASE_URL", own.base_url)
        _run_generate(Deployment.from_env(), server_env, own.base_url)
    assert any(value == f"Bearer {SERVER_KEY}" for value in own.header_values())


def test_a_key_the_visitor_brings_goes_to_their_endpoint(server_env):
    with FakeOpenAI() as visitor:
        _run_generate(Deployment.from_env(), server_env, visitor.base_url, api_key="sk-visitor-own-key-000000")
    values = visitor.header_values()
    assert "Bearer sk-visitor-own-key-000000" in values and not any(SERVER_KEY in v for v in values)


def test_secret_planted_in_a_backend_error_body_is_not_shown(server_env):
    planted = f"invalid request from key {SERVER_KEY} and sk-otherkey0123456789abcd"
    with FakeOpenAI(status=400, error_message=planted) as own:
        server_env.setenv("GENSIM_BASE_URL", own.base_url)
        verdict = _run_generate(Deployment.from_env(), server_env, own.base_url)
    assert own.requests and "HTTP 400" in verdict
    assert SERVER_KEY not in verdict and SERVER_KEY[-8:] not in verdict
    assert "sk-otherkey0123456789abcd" not in verdict and "***" in verdict


def test_scrub_masks_configured_secrets_and_key_shapes(server_env):
    server_env.setenv("HF_TOKEN", "hf_tokenvalue123456789012")
    text = f"a {SERVER_KEY} b hf_tokenvalue123456789012 c Bearer abcdefghijklmnopqrstu d sk-typed"
    shown = scrub(text, ["sk-typed"])
    for secret in (SERVER_KEY, "hf_tokenvalue123456789012", "abcdefghijklmnopqrstu", "sk-typed"):
        assert secret not in shown
    assert shown.startswith("a *** b")
    assert scrub("ordinary words, sk- and hf_ alone") == "ordinary words, sk- and hf_ alone"


# -- public mode ---------------------------------------------------------------------------------------
def test_public_mode_is_on_for_a_space_and_switchable(server_env):
    server_env.setenv("SPACE_ID", "someone/gensim")
    space = Deployment.from_env()
    assert space.public and space.endpoint_locked and space.saving == "off" and space.proxy_hops == 1
    assert space.backends == ("offline", "openai")  # the server has a key: its endpoint is offered
    server_env.setenv("GENSIM_PUBLIC", "0")
    assert not Deployment.from_env().public
    server_env.delenv("SPACE_ID")
    server_env.setenv("GENSIM_PUBLIC", "1")
    server_env.delenv("OPENAI_API_KEY")
    assert Deployment.from_env().backends == ("offline",)
    server_env.setenv("GENSIM_BACKENDS", "offline,nope")
    with pytest.raises(ValueError, match="nope"):
        Deployment.from_env()


def test_public_model_backends_need_a_confined_sandbox(server_env):
    server_env.setenv("SPACE_ID", "someone/gensim")
    server_env.setenv("GENSIM_BACKENDS", "offline,openai")
    unconfined = Deployment.from_env(confinement=(False, "bwrap not installed; kernel without Landlock"))
    assert unconfined.backends == ("offline",) and "kernel without Landlock" in unconfined.notice
    assert Deployment.from_env(confinement=(True, "Landlock ABI 7")).backends == ("offline", "openai")
    server_env.setenv("GENSIM_ALLOW_UNCONFINED", "1")  # the operator's explicit choice
    assert Deployment.from_env(confinement=(False, "none")).backends == ("offline", "openai")
    server_env.setenv("GENSIM_PUBLIC", "0")
    assert Deployment.from_env(confinement=(False, "none")).notice == ""


def test_public_mode_fixes_the_endpoint_and_model(server_env):
    server_env.setenv("SPACE_ID", "someone/gensim")
    server_env.setenv("GENSIM_MODEL", "gpt-x")
    public = Deployment.from_env()
    assert public.backend_config("openai", "", "", "", "", "") == {
        "base_url": "https://api.openai.com/v1",
        "model": "gpt-x",
        "timeout": APP_TIMEOUT_S,
        "retries": APP_RETRIES,
    }
    for base_url, model in (("http://127.0.0.1:7999/v1", "gpt-x"), ("", "other-model")):
        with pytest.raises(InputError, match="cannot be changed"):
            public.backend_config("openai", base_url, model, "", "", "")
    with pytest.raises(InputError, match="not offered"):
        public.backend_config("transformers", "", "", "", "any/hub-model", "")


def test_public_visitor_endpoints_must_be_https_and_public(server_env):
    server_env.setenv("SPACE_ID", "someone/gensim")
    server_env.setenv("GENSIM_ALLOW_VISITOR_ENDPOINTS", "1")
    public = Deployment.from_env()
    with FakeOpenAI() as visitor:
        for url, why in (
            (visitor.base_url, "https"),
            (visitor.base_url.replace("http:", "https:"), "loopback"),
            ("https://localhost:1/v1", "loopback"),
            ("https://169.254.169.254/v1", "metadata"),
            ("https://10.1.2.3/v1", "private"),
        ):
            verdict = _run_generate(public, server_env, url)
            assert why in verdict, verdict
        assert visitor.requests == []  # refused before any connection
    config = public.backend_config("openai", "https://llm.example.org/v1", "m", "sk-mine-000000", "", "")
    assert config["public_only"] is True and config["api_key"] == "sk-mine-000000"


def test_private_mode_keeps_todays_freedom_without_the_key(server_env):
    private = Deployment.from_env()
    config = private.backend_config("openai", "http://127.0.0.1:8000/v1", "m", "", "", "")
    assert config == {  # the key is never in it
        "base_url": "http://127.0.0.1:8000/v1",
        "model": "m",
        "timeout": APP_TIMEOUT_S,
        "retries": APP_RETRIES,
    }
    assert private.backend_config("transformers", "", "", "", "org/m", " ad ") == {"model": "org/m", "adapter": "ad"}
    assert private.saving == "open"


def test_public_local_models_are_the_operators_list_only(server_env):
    server_env.setenv("SPACE_ID", "someone/gensim")
    server_env.setenv("GENSIM_LOCAL_MODELS", "org/coder, ./merged::./lora")
    public = Deployment.from_env()
    assert "transformers" in public.backends
    assert public.local_models == (LocalModel("org/coder"), LocalModel("./merged", "./lora"))
    assert public.backend_config("transformers", "", "", "", "./merged::./lora", "") == {
        "model": "./merged",
        "adapter": "./lora",
    }
    for model, adapter in (("attacker/huge-model", ""), ("org/coder", "attacker/adapter")):
        with pytest.raises(InputError, match="operator listed"):
            public.backend_config("transformers", "", "", "", model, adapter)


def test_public_saving_needs_the_operator_token(server_env):
    server_env.setenv("SPACE_ID", "someone/gensim")
    result = {"code": "class T: pass", "accepted": True}
    server_env.setattr(handlers, "DEPLOYMENT", Deployment.from_env())
    assert "off" in handlers.save_to_library(result, "x", "")[0]
    server_env.setenv("GENSIM_OPERATOR_TOKEN", "operator-token-123")
    server_env.setattr(handlers, "DEPLOYMENT", Deployment.from_env())
    assert "operator token" in handlers.save_to_library(result, "x", "wrong")[0]


class _Request:
    def __init__(self, host, forwarded=""):
        self.client = type("Client", (), {"host": host})()
        self.headers = {"x-forwarded-for": forwarded} if forwarded else {}
        self.session_hash = "s"


def test_one_run_at_a_time_per_visitor(server_env):
    server_env.setenv("SPACE_ID", "someone/gensim")
    public = Deployment.from_env()
    # Behind the Space's proxy the last X-Forwarded-For entry is the visitor; earlier ones are claims.
    assert public.visitor(_Request("10.0.0.1", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    server_env.setattr(handlers, "DEPLOYMENT", public)
    first = handlers.run_task("place-red-in-green", 1, 0, "320x240", request=_Request("10.0.0.1", "1.2.3.4"))
    next(first)  # the first run holds the visitor's slot
    try:
        second = list(
            handlers.run_task("place-red-in-green", 1, 0, "320x240", request=_Request("10.0.0.1", "9.9.9.9, 1.2.3.4"))
        )
        assert "already have a run" in second[-1][handlers.RUN_OUTPUTS.index("verdict")]
        other = handlers.run_task("no-such-task", 1, 0, "320x240", request=_Request("10.0.0.1", "5.6.7.8"))
        assert "already have a run" not in list(other)[-1][handlers.RUN_OUTPUTS.index("verdict")]
    finally:
        first.close()  # closing the stream ends the run and frees the slot
    again = list(handlers.run_task("no-such-task", 1, 0, "320x240", request=_Request("10.0.0.1", "1.2.3.4")))
    assert "already have a run" not in again[-1][handlers.RUN_OUTPUTS.index("verdict")]


# -- egress: checked on the address connected to --------------------------------------------------------
@pytest.mark.parametrize(
    "address, reason",
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.8", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::ffff:127.0.0.1", "loopback"),
        ("100.64.0.1", "public"),
        ("1.1.1.1", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_blocked_reason(address, reason):
    got = egress.blocked_reason(address)
    assert got is None if reason is None else reason in got


def _resolver(*addresses):
    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    return getaddrinfo


def test_connection_goes_to_the_checked_address(monkeypatch):
    connected = []
    monkeypatch.setattr(
        httpcore2.SyncBackend, "connect_tcp", lambda self, host, port, **kwargs: connected.append(host) or "stream"
    )
    monkeypatch.setattr(socket, "getaddrinfo", _resolver("1.1.1.1"))
    assert egress.PublicOnlyBackend().connect_tcp("llm.example.org", 443) == "stream"
    assert connected == ["1.1.1.1"]  # the address checked, not a second lookup of the name
    # A rebinding answer (public, then loopback) or a mixed answer is refused outright.
    monkeypatch.setattr(socket, "getaddrinfo", _resolver("1.1.1.1", "127.0.0.1"))
    with pytest.raises(egress.EgressRefused, match="127.0.0.1"):
        egress.PublicOnlyBackend().connect_tcp("llm.example.org", 443)
    assert connected == ["1.1.1.1"]


def test_openai_backend_refuses_a_rebound_address_at_connect_time(monkeypatch, server_env):
    # The name passes the early check, then resolves to loopback when the request connects.
    answers = iter([_resolver("1.1.1.1"), _resolver("127.0.0.1")])
    current = {"fn": next(answers)}
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: current["fn"](*a, **k))
    backend = OpenAIBackend(model="m", base_url="https://llm.example.org/v1", public_only=True, retries=0)
    current["fn"] = next(answers)
    from serving.base import BackendError

    with pytest.raises(BackendError, match="refused to connect.*127.0.0.1.*loopback"):
        backend.chat([{"role": "user", "content": "hi"}])
    backend.close()
