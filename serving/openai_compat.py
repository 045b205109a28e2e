"""Backend for any OpenAI-compatible HTTP API (OpenAI, vLLM, `transformers serve`, llama.cpp, Ollama).

    backend = make_backend("openai", base_url="http://127.0.0.1:8000/v1", model="my-model")
    GENSIM_BASE_URL=http://127.0.0.1:8000/v1 GENSIM_MODEL=my-model python -m generation.generate ...

Settings come from arguments, else the environment: `GENSIM_BASE_URL`, `GENSIM_MODEL`, and
`OPENAI_API_KEY`, which is only ever sent to the server's own endpoint (`serving.secrets`): a caller
who points the backend at another base URL must pass its own `api_key`. `prompt_format="completion"`
sends chats to `/v1/completions` rendered with `completion_template` ("plain" or "llama2"), for models
trained on a bare instruction like GenSim's Code-Llama (docs/pipeline.md#finetune-formats). Stop strings and
n are enforced on our side too, because some servers ignore them (e.g. `transformers serve` returns one
choice and keeps the stop string).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import httpx
import httpx2
import openai

from serving import egress, prompt_formats
from serving.base import (
    Backend,
    BackendError,
    GenerationParams,
    StopScanner,
    apply_stop,
    check_messages,
    resolve_params,
)
from serving.secrets import scrub, server_key_for

PROMPT_FORMATS = ("chat", "completion")
MAX_SERVER_STOPS = 4  # the OpenAI API rejects more than 4 stop strings; the rest are applied here
NO_KEY = "EMPTY"  # local servers ignore the key, but the SDK insists on one
# What reading a reply of the wrong shape raises: JSON/UTF-8 decoding (ValueError), or attribute and
# item access on objects the SDK built from unexpected JSON.
MALFORMED = (ValueError, TypeError, AttributeError, KeyError, IndexError)
UNDECODABLE = (json.JSONDecodeError, UnicodeDecodeError)  # a body that is not JSON, or not UTF-8


class OpenAIBackend(Backend):
    """Chat and completion calls through the `openai` SDK.

    Args:
        model: model id on the server (default env GENSIM_MODEL); BackendError when neither is set.
        base_url: API root ending in /v1 (default env GENSIM_BASE_URL, else api.openai.com).
        api_key: the caller's key. Default: env OPENAI_API_KEY, but only when base_url is the server's
            own endpoint (GENSIM_BASE_URL, else api.openai.com). Never logged or shown.
        prompt_format: "chat" (chat endpoint) or "completion" (chats rendered to one prompt).
        completion_template: "plain" or "llama2" ([INST] <<SYS>> wrapper), for prompt_format="completion".
        timeout: seconds per HTTP request.
        retries: extra attempts after a transient error (connection, timeout, 408/409/429/5xx), made by
            the openai SDK with its exponential back-off (0.5 s doubling to 8 s, with jitter, honouring
            the server's Retry-After); GenSim retried immediately (docs/compat.md#plumbing-defects), which
            hammers a rate limit.
        public_only: base_url is a visitor's: it must be https and every connection goes only to a
            public internet address, checked on the address connected to (`serving.egress`).
    Raises ValueError for bad option values or a refused visitor URL, BackendError for missing settings.
    """

    name = "openai"

    def __init__(
        self,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        prompt_format: str = "chat",
        completion_template: str = "plain",
        timeout: float = 300.0,
        retries: int = 4,
        public_only: bool = False,
    ):
        if prompt_format not in PROMPT_FORMATS:
            raise ValueError(f"Unknown prompt_format {prompt_format!r}. Available: {list(PROMPT_FORMATS)}")
        if completion_template not in prompt_formats.TEMPLATES:
            raise ValueError(
                f"Unknown completion_template {completion_template!r}. Available: {list(prompt_formats.TEMPLATES)}"
            )
        if retries < 0 or timeout <= 0:
            raise ValueError(f"need retries >= 0 and timeout > 0; got {retries}, {timeout}")
        self.model = model or os.environ.get("GENSIM_MODEL", "")
        self.base_url = (base_url or os.environ.get("GENSIM_BASE_URL") or "").rstrip("/") or None
        key = api_key or server_key_for(self.base_url)
        if not self.model:
            raise BackendError("no model given: pass model=... or set GENSIM_MODEL")
        if not key and not self.base_url:
            raise BackendError(
                "no API key for api.openai.com: set OPENAI_API_KEY, or set GENSIM_BASE_URL "
                "to a local OpenAI-compatible server"
            )
        if public_only:
            egress.check_visitor_url(self.base_url or "")
        self._secrets = [key] if key else []
        self.prompt_format = prompt_format
        self.completion_template = completion_template
        self.retries = retries
        self._max_tokens_field = "max_tokens"  # what vLLM, llama.cpp, Ollama and older OpenAI models take
        http_client = egress.public_only_client(timeout) if public_only else None
        self._client = openai.OpenAI(
            api_key=key or NO_KEY, base_url=self.base_url, timeout=timeout, max_retries=retries, http_client=http_client
        )

    def __repr__(self):
        return f"OpenAIBackend(model={self.model!r}, base_url={self.where!r}, format={self.prompt_format!r})"

    @property
    def where(self) -> str:
        """The server shown in messages."""
        return self.base_url or "api.openai.com"

    def close(self) -> None:
        self._client.close()

    # -- public interface ------------------------------------------------------------------------
    def chat(self, messages: list[dict], params: GenerationParams | None = None) -> list[str]:
        params, messages = resolve_params(params), check_messages(messages)
        if self.prompt_format == "completion":
            return self.complete(prompt_formats.render(messages, self.completion_template), params)
        return self._collect(lambda k: self._create("chat", messages, params, k), params)

    def stream_chat(self, messages: list[dict], params: GenerationParams | None = None) -> Iterator[str]:
        params, messages = resolve_params(params, streaming=True), check_messages(messages)
        if self.prompt_format == "completion":
            return self.stream_complete(prompt_formats.render(messages, self.completion_template), params)
        return self._stream("chat", messages, params)

    def complete(self, prompt: str, params: GenerationParams | None = None) -> list[str]:
        params = resolve_params(params)
        return self._collect(lambda k: self._create("completion", prompt, params, k), params)

    def stream_complete(self, prompt: str, params: GenerationParams | None = None) -> Iterator[str]:
        return self._stream("completion", prompt, resolve_params(params, streaming=True))

    # -- internals -------------------------------------------------------------------------------
    def _request(self, endpoint: str, payload, params: GenerationParams, n: int, stream: bool):
        """One SDK call (no retry); `payload` is the messages or the prompt."""
        kwargs = dict(model=self.model, temperature=params.temperature, top_p=params.top_p, n=n, stream=stream)
        if params.stop:
            kwargs["stop"] = params.stop[:MAX_SERVER_STOPS]
        if endpoint == "completion":
            return self._client.completions.create(prompt=payload, max_tokens=params.max_tokens, **kwargs)
        try:
            kwargs[self._max_tokens_field] = params.max_tokens
            return self._client.chat.completions.create(messages=payload, **kwargs)
        except openai.BadRequestError as exc:
            # Newer OpenAI models refuse `max_tokens` and ask for `max_completion_tokens`; switch once.
            if self._max_tokens_field == "max_tokens" and "max_completion_tokens" in str(exc):
                self._max_tokens_field = "max_completion_tokens"
                return self._request(endpoint, payload, params, n, stream)
            raise

    def _create(self, endpoint: str, payload, params: GenerationParams, n: int) -> list[str]:
        """Up to `n` answer texts from one call, retried on transient errors."""
        response = self._call(lambda: self._request(endpoint, payload, params, n, stream=False))
        try:
            texts = [(c.message.content if endpoint == "chat" else c.text) or "" for c in response.choices]
        except MALFORMED as exc:  # the SDK builds its objects without validating the JSON
            raise BackendError(self._malformed(exc)) from None
        return [apply_stop(t, params.stop) for t in texts]

    def _collect(self, call, params: GenerationParams) -> list[str]:
        """Call until params.n answers are in: some servers return fewer choices than asked."""
        answers: list[str] = []
        for _ in range(params.n):  # each call returns at least one choice, so this bounds the loop
            got = call(params.n - len(answers))
            if not got:
                raise BackendError(f"{self.where} returned no answer for model {self.model!r}")
            answers += got
            if len(answers) >= params.n:
                break
        return answers[: params.n]

    def _stream(self, endpoint: str, payload, params: GenerationParams) -> Iterator[str]:
        # Connection errors before the first delta are retried; once text went out they are not
        # (the caller has shown it), so they surface as BackendError.
        response = self._call(lambda: self._request(endpoint, payload, params, 1, stream=True))
        scanner = StopScanner(params.stop)
        try:
            for chunk in response:
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                delta = (choice.delta.content if endpoint == "chat" else choice.text) or ""
                out = scanner.feed(delta)
                if out:
                    yield out
                if scanner.done:
                    break
            tail = scanner.flush()
            if tail:
                yield tail
        except (openai.OpenAIError, httpx.HTTPError, httpx2.HTTPError) as exc:  # a stream can break mid-way
            raise BackendError(self._describe(exc)) from None
        except MALFORMED as exc:  # an event that is not JSON, or JSON of another shape
            raise BackendError(self._malformed(exc)) from None
        finally:
            response.close()

    def _call(self, call):
        """Run `call` (the SDK has retried transient errors already); SDK errors become BackendError."""
        try:
            return call()
        except openai.OpenAIError as exc:
            suffix = f" (gave up after {self.retries} retries)" if self.retries and self._transient(exc) else ""
            raise BackendError(self._describe(exc) + suffix) from None
        except UNDECODABLE as exc:  # a 200 whose body the SDK cannot decode
            raise BackendError(self._malformed(exc)) from None

    def _transient(self, exc) -> bool:
        if _egress_refusal(exc):
            return False
        if isinstance(exc, openai.APIConnectionError):  # includes timeouts
            return True
        status = getattr(exc, "status_code", None)
        return status in (408, 409, 429) or (status is not None and status >= 500)

    def _describe(self, exc) -> str:
        """A user-facing message for an SDK error, with every secret replaced by '***'."""
        o = openai
        refusal = _egress_refusal(exc)
        if refusal:
            text = f"refused to connect to {self.where}: {refusal}"
        elif isinstance(exc, o.APITimeoutError):
            text = f"{self.where} timed out"
        elif isinstance(exc, o.APIConnectionError):
            text = f"cannot reach {self.where} (is the server running? see serving/README.md)"
        elif isinstance(exc, o.AuthenticationError):
            text = f"{self.where} rejected the API key (HTTP 401); check OPENAI_API_KEY"
        elif isinstance(exc, o.APIStatusError):
            detail = _detail(exc)
            hint = f"; is model {self.model!r} served there?" if exc.status_code == 404 else ""
            text = f"{self.where} answered HTTP {exc.status_code}: {detail}{hint}"
        else:
            text = f"{self.where}: {type(exc).__name__}: {exc}"
        return self.redact(text)

    def _malformed(self, exc) -> str:
        """A user-facing message for a reply that is not an OpenAI API response, secrets masked."""
        detail = f"{type(exc).__name__}: {exc}"[:200]
        return self.redact(f"{self.where} sent a reply that is not an OpenAI-compatible API response ({detail})")

    def redact(self, text: str) -> str:
        """`text` with this backend's key, the server's secrets and key-shaped strings masked."""
        return scrub(text, self._secrets)


def _egress_refusal(exc) -> str | None:
    """The message of an `egress.EgressRefused` somewhere in the cause chain of `exc`, else None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, egress.EgressRefused):
            return str(exc)
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _detail(exc) -> str:
    """The server's own error text: OpenAI's {"error": {"message"}} or FastAPI's {"detail"}."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        text = inner.get("message") or inner.get("detail") if isinstance(inner, dict) else inner
        if text:
            return str(text)
    return getattr(exc, "message", "") or str(exc)
