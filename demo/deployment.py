"""The operator's deployment policy: what visitors may do, in public mode (a Space) or private mode.

Read once from the environment (`Deployment.from_env`):

| variable | default | meaning |
|---|---|---|
| `SPACE_ID` | set by Hugging Face Spaces | turns public mode on |
| `GENSIM_PUBLIC` | `1` when `SPACE_ID` is set, else `0` | force public (`1`) or private (`0`) mode |
| `GENSIM_BACKENDS` | private: `offline,openai,transformers`; public: `offline`, plus `openai` when the server has an endpoint (`GENSIM_BASE_URL` or `OPENAI_API_KEY`) or visitors may bring one, plus `transformers` when `GENSIM_LOCAL_MODELS` is set | backends offered, comma-separated |
| `GENSIM_ALLOW_VISITOR_ENDPOINTS` | `0` | public mode: visitors may type their own https base URL, model and key |
| `GENSIM_LOCAL_MODELS` | empty | public mode: the only models the in-process transformers backend serves, `MODEL` or `MODEL::ADAPTER`, comma-separated |
| `GENSIM_OPERATOR_TOKEN` | unset | public mode: saving to the shared library needs this token (unset: saving is off) |
| `GENSIM_TRUSTED_PROXY_HOPS` | `1` on a Space, else `0` | proxies in front of the app whose `X-Forwarded-For` names the visitor |
| `GENSIM_POLICY` | unset | a policy run folder or `.pt` checkpoint (`python -m policy.train --out RUN`): the Library tab offers "Run the learned policy" next to the oracle |
| `GENSIM_ALLOW_UNCONFINED` | `0` | public mode: offer model backends even where the sandbox cannot confine the filesystem (no namespaces, no Landlock) |

In public mode, model-written code is the visitors' to steer (an idea can ask a model for anything), so
model backends are offered only where the sandbox confines each run's filesystem view: bubblewrap
namespaces or Landlock (`sim.sandbox.isolation.filesystem_confinement`). Elsewhere only the offline
generator (code from our own templates) is offered, and the page says why.

Private mode (local use) keeps every freedom except one that holds in both modes: the server's key
goes only to the server's own endpoint (`serving.secrets.server_key_for`).
"""  # noqa: E501 (the table's rows)

from __future__ import annotations

import hmac
import os
import threading
from dataclasses import dataclass

from generation.library import Library
from serving.secrets import DEFAULT_OPENAI_URL, normalise_url
from sim.sandbox.isolation import filesystem_confinement

# An endpoint that hangs holds a simulator slot while the app waits: the backend's own defaults (300 s a
# request, 4 retries) made that ~25 minutes; these cap it near 6 minutes, still room for a slow
# model's longest non-streamed answer (the code itself streams, and a stream only times out when idle).
APP_TIMEOUT_S, APP_RETRIES = 180.0, 1


class InputError(ValueError):
    """A request this deployment refuses, or bad visitor input; the message says what to change."""


ALL_BACKENDS = {
    "offline": "Offline — rule-based generator (no model, always available)",
    "openai": "OpenAI-compatible server",
    "transformers": "Local transformers model",
}


def _flag(environ, name: str, default: bool) -> bool:
    value = environ.get(name, "").strip().lower()
    if not value:
        return default
    if value not in ("0", "1", "true", "false", "yes", "no"):
        raise ValueError(f"{name} must be 0 or 1, got {value!r}")
    return value in ("1", "true", "yes")


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (text or "").split(",") if item.strip())


@dataclass(frozen=True)
class LocalModel:
    """One operator-listed model of the transformers backend (a folder or Hub id, optional LoRA adapter)."""

    model: str
    adapter: str | None = None

    @classmethod
    def parse(cls, entry: str) -> LocalModel:
        """'org/model' or 'org/model::path/to/adapter' -> LocalModel."""
        model, _, adapter = entry.partition("::")
        return cls(model.strip(), adapter.strip() or None)

    @property
    def label(self) -> str:
        return self.model + (f"::{self.adapter}" if self.adapter else "")


@dataclass(frozen=True)
class Deployment:
    """What this app offers its visitors. Build with `from_env()`; immutable while the app runs."""

    public: bool = False
    backends: tuple[str, ...] = tuple(ALL_BACKENDS)
    allow_visitor_endpoints: bool = True
    base_url: str = DEFAULT_OPENAI_URL  # the server's own endpoint
    model: str = ""  # the server's own model on that endpoint
    has_server_key: bool = False
    server_configured: bool = False  # GENSIM_BASE_URL, GENSIM_MODEL or OPENAI_API_KEY is set
    local_models: tuple[LocalModel, ...] = ()
    operator_token: str | None = None
    proxy_hops: int = 0
    policy: str | None = None  # GENSIM_POLICY: a policy checkpoint the Library tab can run
    notice: str = ""  # what the operator and the visitors should know (shown on the page)

    @classmethod
    def from_env(cls, environ=None, confinement: tuple[bool, str] | None = None) -> Deployment:
        """The policy from the environment (module docstring). `confinement`: (confined, detail) of
        the sandbox here; probed with `filesystem_confinement()` in public mode when not given.
        Raises ValueError for a bad setting, so a misconfigured app stops at start-up with the reason
        instead of serving wrongly."""
        env = os.environ if environ is None else environ
        on_space = bool(env.get("SPACE_ID"))
        public = _flag(env, "GENSIM_PUBLIC", on_space)
        allow = _flag(env, "GENSIM_ALLOW_VISITOR_ENDPOINTS", not public)
        has_endpoint = bool(env.get("GENSIM_BASE_URL") or env.get("OPENAI_API_KEY"))
        local_models = tuple(LocalModel.parse(e) for e in _split(env.get("GENSIM_LOCAL_MODELS")))
        if public:
            default = (
                ("offline",)
                + (("openai",) if has_endpoint or allow else ())
                + (("transformers",) if local_models else ())
            )
        else:
            default = tuple(ALL_BACKENDS)
        backends = _split(env.get("GENSIM_BACKENDS")) or default
        unknown = sorted(set(backends) - set(ALL_BACKENDS))
        if unknown:
            raise ValueError(f"GENSIM_BACKENDS names unknown backends {unknown}. Available: {list(ALL_BACKENDS)}")
        if public and "transformers" in backends and not local_models:
            raise ValueError("public mode offers the transformers backend only with GENSIM_LOCAL_MODELS set")
        notice = ""
        if public and set(backends) - {"offline"} and not _flag(env, "GENSIM_ALLOW_UNCONFINED", False):
            confined, detail = confinement or filesystem_confinement()
            if not confined:
                backends = tuple(b for b in backends if b == "offline") or ("offline",)
                notice = (
                    "Model backends are off on this deployment: its sandbox cannot confine the "
                    f"files a task sees ({detail}). The offline generator still works."
                )
        hops = env.get("GENSIM_TRUSTED_PROXY_HOPS", "").strip()
        policy = env.get("GENSIM_POLICY", "").strip() or None
        if policy and not (os.path.isfile(policy) or os.path.isfile(os.path.join(policy, "checkpoint.pt"))):
            raise ValueError(f"GENSIM_POLICY={policy!r} is not a .pt checkpoint nor a run folder with checkpoint.pt")
        return cls(
            public=public,
            backends=backends,
            notice=notice,
            allow_visitor_endpoints=allow,
            base_url=env.get("GENSIM_BASE_URL") or DEFAULT_OPENAI_URL,
            model=env.get("GENSIM_MODEL", ""),
            has_server_key=bool(env.get("OPENAI_API_KEY")),
            server_configured=has_endpoint or bool(env.get("GENSIM_MODEL")),
            local_models=local_models,
            operator_token=env.get("GENSIM_OPERATOR_TOKEN") or None,
            proxy_hops=int(hops) if hops else (1 if on_space else 0),
            policy=policy,
        )

    # -- what the page shows ---------------------------------------------------------------------
    @property
    def endpoint_locked(self) -> bool:
        """Whether base URL and model are fixed to the operator's."""
        return self.public and not self.allow_visitor_endpoints

    @property
    def default_backend(self) -> str:
        """The backend preselected: the server's endpoint when it has one, else offline."""
        if "openai" in self.backends and self.server_configured:
            return "openai"
        return "offline" if "offline" in self.backends else self.backends[0]

    @property
    def backend_choices(self) -> list[tuple[str, str]]:
        """(label, kind) pairs for the backend radio, in the operator's order."""
        return [(ALL_BACKENDS[kind], kind) for kind in self.backends]

    @property
    def saving(self) -> str:
        """'open' (anyone may save), 'token' (the operator token is needed) or 'off'."""
        if not self.public:
            return "open"
        return "token" if self.operator_token else "off"

    # -- what a request may do -------------------------------------------------------------------
    def backend_config(
        self,
        kind: str,
        base_url: str | None,
        model: str | None,
        api_key: str | None,
        local_model: str | None,
        adapter: str | None,
    ) -> dict:
        """Keyword arguments for `serving.make_backend(kind, **config)` from a visitor's fields.

        The server's key is never put here: `serving` adds it only for the server's own endpoint. A
        visitor's own endpoint in public mode is marked `public_only` (https, public addresses).
        Raises InputError with text for the visitor for anything this deployment does not allow.
        """
        if kind not in self.backends:
            offered = ", ".join(self.backends)
            raise InputError(f"The backend {kind!r} is not offered here. Available: {offered}.")
        if kind == "offline":  # its refusals name the nearest library task
            return {"library": Library().texts()}
        if kind == "openai":
            return self._openai_config(
                (base_url or "").strip() or self.base_url, (model or "").strip() or self.model, (api_key or "").strip()
            )
        return self._local_config((local_model or "").strip(), (adapter or "").strip() or None)

    def _openai_config(self, base_url: str, model: str, api_key: str) -> dict:
        own = normalise_url(base_url) == normalise_url(self.base_url)
        if self.endpoint_locked and (not own or model != self.model):
            raise InputError(
                "This deployment uses its own endpoint and model; the base URL and model cannot be changed here."
            )
        if not model:
            raise InputError("The OpenAI-compatible backend needs a model name.")
        config = {"base_url": base_url, "model": model, "timeout": APP_TIMEOUT_S, "retries": APP_RETRIES}
        if api_key:
            config["api_key"] = api_key
        if self.public and not own:
            config["public_only"] = True
        return config

    def _local_config(self, model: str, adapter: str | None) -> dict:
        if not model:
            raise InputError("The local transformers backend needs a model folder or Hub id.")
        if self.public:  # the page sends a listed label ("model::adapter") in the model field
            entry = LocalModel.parse(model) if adapter is None else LocalModel(model, adapter)
            if entry not in self.local_models:
                raise InputError(
                    "This deployment serves only the models its operator listed: "
                    + ", ".join(m.label for m in self.local_models)
                    + "."
                )
            model, adapter = entry.model, entry.adapter
        return {"model": model} | ({"adapter": adapter} if adapter else {})

    def check_save(self, token: str | None) -> None:
        """Raise InputError unless this request may write to the shared task library."""
        if self.saving == "off":
            raise InputError("Saving to the shared library is off on this public deployment.")
        if self.saving == "token" and not hmac.compare_digest(
            (token or "").strip().encode(), self.operator_token.encode()
        ):
            raise InputError("Saving to the shared library needs the operator token.")

    def visitor(self, request) -> str:
        """Who made `request` (a gr.Request or None): the client address, or the address the
        `proxy_hops`-th trusted proxy put in X-Forwarded-For (entries before it are the client's own
        claims and are ignored). 'local' when there is no request (direct calls, tests)."""
        if request is None:
            return "local"
        if self.proxy_hops:
            headers = getattr(request, "headers", None) or {}
            forwarded = [h.strip() for h in str(headers.get("x-forwarded-for", "")).split(",") if h.strip()]
            if len(forwarded) >= self.proxy_hops:
                return forwarded[-self.proxy_hops]
        client = getattr(request, "client", None)
        return str(getattr(client, "host", None) or getattr(request, "session_hash", None) or "unknown")


class VisitorRuns:
    """At most one run in flight per visitor in public mode, so one client cannot take every slot."""

    def __init__(self):
        self._busy: set[str] = set()
        self._lock = threading.Lock()

    def acquire(self, visitor: str) -> bool:
        """Claim the visitor's slot; False when they already have a run in flight."""
        with self._lock:
            if visitor in self._busy:
                return False
            self._busy.add(visitor)
            return True

    def release(self, visitor: str) -> None:
        with self._lock:
            self._busy.discard(visitor)


BUSY_MESSAGE = (
    "You already have a run in progress on this public deployment; wait for it to finish or press Stop, then try again."
)
