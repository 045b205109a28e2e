"""`python app.py` as on a Hugging Face Space (SPACE_ID set, a key as secret), driven by gradio_client.

The operator's endpoint and a visitor's are local fake servers recording the headers they get.
"""

import pytest

from tests.app_process import serve_app
from tests.fake_openai import FakeOpenAI

SERVER_KEY = "sk-space-secret-never-shown-0123456789"
IDEA = "put the red block in the green bowl"
FAST = {"episodes": 1, "repair_attempts": 0}


@pytest.fixture(scope="module")
def space():
    """(app url, operator's fake server): public mode, visitors may bring https endpoints."""
    with FakeOpenAI() as operator:
        with serve_app(
            "app-public.log",
            SPACE_ID="someone/gensim-studio",
            OPENAI_API_KEY=SERVER_KEY,
            GENSIM_BASE_URL=operator.base_url,
            GENSIM_MODEL="operator-model",
            GENSIM_ALLOW_VISITOR_ENDPOINTS="1",
            # model backends stay on even where this host cannot confine the sandbox
            # (that rule is tested in test_public_mode.py)
            GENSIM_ALLOW_UNCONFINED="1",
        ) as (url, _, _):
            yield url, operator


def _client(url):
    from gradio_client import Client

    return Client(url, verbose=False)


def _verdict(url, **kwargs):
    out = _client(url).predict(IDEA, **(FAST | kwargs), api_name="/generate")
    return out[5]  # GENERATE_OUTPUTS' verdict panel


def test_visitor_endpoints_on_loopback_are_refused_and_never_contacted(space):
    url, _ = space
    with FakeOpenAI() as visitor:
        plain = _verdict(url, backend_kind="openai", base_url=visitor.base_url, model="m", api_key="")
        tls = _verdict(
            url,
            backend_kind="openai",
            base_url=visitor.base_url.replace("http:", "https:"),
            model="m",
            api_key="sk-visitor-0000000000000000",
        )
        assert visitor.requests == []
    assert "https" in plain and "loopback" in tls
    assert SERVER_KEY not in plain + tls


def test_operators_endpoint_gets_the_key_and_nothing_is_echoed(space):
    url, operator = space
    verdict = _verdict(url, backend_kind="openai", base_url="", model="", api_key="")
    assert any(value == f"Bearer {SERVER_KEY}" for value in operator.header_values())
    assert SERVER_KEY not in verdict


def test_local_hub_models_and_library_writes_are_not_for_visitors(space):
    url, _ = space
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="not in the list of choices"):  # not even offered to the page
        _verdict(url, backend_kind="transformers", local_model="attacker/huge-model")
    message = _client(url).predict(
        {"code": "class T: pass", "accepted": True}, "visitor-task", "", api_name="/save_to_library"
    )[0]
    assert "off" in message
