"""The one interface every model backend implements: chat or completion in, text out.

    from serving import make_backend, GenerationParams
    backend = make_backend("openai", base_url="http://127.0.0.1:8000/v1", model="m")
    answers = backend.chat([{"role": "user", "content": "hi"}], GenerationParams(n=2))
    for delta in backend.stream_chat(messages, GenerationParams(stop=["```\\n"])):
        print(delta, end="")

A backend subclass implements `chat` and `complete`, and overrides the two streaming methods when it
can stream tokens; the helpers below
(`check_messages`, `apply_stop`, `StopScanner`, `stage_of`) keep the behaviour identical across
backends. Defaults follow GenSim's `generate_feedback` (docs/pipeline.md#llm-calls: temperature 0, 2048
tokens, n 1).
"""

from __future__ import annotations

import abc
import dataclasses
import importlib
import inspect
import re
from collections.abc import Iterator, Sequence

ROLES = ("system", "user", "assistant")

# kind -> "module:Class", imported lazily so `import serving` never pulls torch or openai.
BACKENDS = {
    "offline": "serving.offline:OfflineBackend",
    "openai": "serving.openai_compat:OpenAIBackend",
    "transformers": "serving.transformers_local:TransformersBackend",
    "recorded": "serving.recorded:RecordedBackend",
}

_STAGE_RE = re.compile(r"^\s*\[stage:\s*([A-Za-z_]+)\s*\]")


class BackendError(RuntimeError):
    """A model call failed; the message is fit to show a user and never contains an API key."""


@dataclasses.dataclass
class GenerationParams:
    """Sampling settings of one call.

    temperature: >= 0; 0 means greedy decoding.
    max_tokens: >= 1, new tokens per answer (GenSim default 2048, docs/pipeline.md#llm-calls).
    stop: strings that end an answer; the answer is cut before the first one and excludes it.
    n: >= 1 answers per call (GenSim's critic samples n = 2 at temperature 0.4); streaming needs n == 1.
    top_p: nucleus sampling mass in (0, 1].
    Raises ValueError naming the bad value.
    """

    temperature: float = 0.0
    max_tokens: int = 2048
    stop: list[str] | None = None
    n: int = 1
    top_p: float = 1.0

    def __post_init__(self):
        if not isinstance(self.temperature, (int, float)) or self.temperature < 0:
            raise ValueError(f"temperature must be a number >= 0, got {self.temperature!r}")
        if not isinstance(self.max_tokens, int) or self.max_tokens < 1:
            raise ValueError(f"max_tokens must be an integer >= 1, got {self.max_tokens!r}")
        if not isinstance(self.n, int) or self.n < 1:
            raise ValueError(f"n must be an integer >= 1, got {self.n!r}")
        if not isinstance(self.top_p, (int, float)) or not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p!r}")
        if isinstance(self.stop, str):
            self.stop = [self.stop]
        if self.stop is not None:
            self.stop = list(self.stop)
            if not all(isinstance(s, str) and s for s in self.stop):
                raise ValueError(f"stop must be a list of non-empty strings, got {self.stop!r}")
            if not self.stop:
                self.stop = None


class Backend(abc.ABC):
    """A model behind chat and completion calls.

    Attributes: `name` (the `make_backend` kind, e.g. "openai") and `model` (model id or folder shown
    to users). Every method raises BackendError when the model cannot answer; `stream_*` raise
    ValueError when params.n != 1. `params=None` means `GenerationParams()`.
    """

    name: str = "base"
    model: str = ""

    @abc.abstractmethod
    def chat(self, messages: list[dict], params: GenerationParams | None = None) -> list[str]:
        """Answer a conversation `[{"role": "system"|"user"|"assistant", "content": str}, ...]`.

        Returns params.n answer texts (stop strings removed).
        """

    def stream_chat(self, messages: list[dict], params: GenerationParams | None = None) -> Iterator[str]:
        """Yield the single answer to `messages` as text deltas; their concatenation equals
        what `chat` would return with the same params at temperature 0.

        This default yields `chat`'s whole answer as one delta; token-streaming backends override it.
        """
        yield from self.chat(messages, resolve_params(params, streaming=True))

    @abc.abstractmethod
    def complete(self, prompt: str, params: GenerationParams | None = None) -> list[str]:
        """Continue the raw `prompt` (no chat template); returns params.n continuations."""

    def stream_complete(self, prompt: str, params: GenerationParams | None = None) -> Iterator[str]:
        """Yield the single continuation of `prompt` as text deltas (default: one delta from `complete`)."""
        yield from self.complete(prompt, resolve_params(params, streaming=True))

    def close(self) -> None:
        """Release clients or models held by the backend (idempotent)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r}, model={self.model!r})"


def resolve_params(params: GenerationParams | None, *, streaming: bool = False) -> GenerationParams:
    """`params` or the defaults; with streaming=True raises ValueError unless n == 1."""
    params = params if params is not None else GenerationParams()
    if not isinstance(params, GenerationParams):
        raise TypeError(f"params must be GenerationParams, got {type(params).__name__}")
    if streaming and params.n != 1:
        raise ValueError(f"streaming returns one answer; got n={params.n}")
    return params


def check_messages(messages: Sequence[dict]) -> list[dict]:
    """Validate a chat and return it as a list of plain {"role", "content"} dicts.

    Raises ValueError for an empty list, an unknown role or non-string content.
    """
    if not messages:
        raise ValueError("messages must be a non-empty list of {'role', 'content'} dicts")
    out = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            raise ValueError(f"message {i} must be {{'role': one of {list(ROLES)}, 'content': str}}, got {m!r}")
        out.append({"role": m["role"], "content": m["content"]})
    return out


def apply_stop(text: str, stop: Sequence[str] | None) -> str:
    """Cut `text` before the earliest occurrence of any stop string (OpenAI semantics)."""
    if not stop:
        return text
    cut = min((i for i in (text.find(s) for s in stop) if i >= 0), default=-1)
    return text if cut < 0 else text[:cut]


class StopScanner:
    """Streaming stop-string filter: feed deltas, get back only text that is safe to emit.

    Text that could be the start of a stop string is held back until the next delta decides it;
    `done` turns True once a stop string is seen (the caller should stop generating).
    """

    def __init__(self, stop: Sequence[str] | None):
        self.stop = list(stop or [])
        self.hold = max((len(s) for s in self.stop), default=1) - 1
        self.buffer = ""
        self.done = False

    def feed(self, delta: str) -> str:
        """Return the part of buffer + delta that can be emitted now ('' once done)."""
        if self.done:
            return ""
        self.buffer += delta
        cut = apply_stop(self.buffer, self.stop)
        if len(cut) < len(self.buffer):
            self.done = True
            self.buffer = ""
            return cut
        safe = len(self.buffer) - self.hold if self.stop else len(self.buffer)
        out, self.buffer = self.buffer[: max(safe, 0)], self.buffer[max(safe, 0) :]
        return out

    def flush(self) -> str:
        """The held-back tail at the end of generation ('' when a stop string ended it)."""
        out, self.buffer = ("" if self.done else self.buffer), ""
        return out


def stage_of(messages: Sequence[dict]) -> str | None:
    """The NAME of the `[stage: NAME]` first line of the last user message, or None (INTERFACES.md)."""
    for m in reversed(messages):
        if m.get("role") == "user":
            match = _STAGE_RE.match(m.get("content", ""))
            return match.group(1) if match else None
    return None


def make_backend(kind: str, **config) -> Backend:
    """Build the backend `kind` (one of BACKENDS) with keyword `config` for its constructor.

    Raises ValueError "Unknown backend kind 'x'. Available: [...]" for an unknown kind or a config
    key the backend does not take, and BackendError when its optional dependencies are missing.
    """
    if kind not in BACKENDS:
        raise ValueError(f"Unknown backend kind {kind!r}. Available: {sorted(BACKENDS)}")
    module_name, class_name = BACKENDS[kind].split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise BackendError(f"backend {kind!r} cannot be loaded: {exc}") from exc
    cls = getattr(module, class_name)
    accepted = inspect.signature(cls).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in accepted.values()):
        unknown = sorted(set(config) - set(accepted))
        if unknown:
            raise ValueError(f"backend {kind!r} takes no option(s) {unknown}. Available: {sorted(accepted)}")
    return cls(**config)
