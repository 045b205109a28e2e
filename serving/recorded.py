"""Replay recorded answers (deterministic tests, demos without a model) and record a backend's answers.

    backend = make_backend("recorded", path="tests/data/recorded/build-car")   # a folder or a .jsonl
    recorder = Recorder(make_backend("openai", ...), "run.jsonl")                # replayable later

Answers are matched to requests by the stage marker, the `[stage: NAME]` first line of the last user
message (INTERFACES.md), or of the prompt for completions; per stage they are replayed in order.
Folder layout: `NN-<stage>.txt` files (NN = order, e.g. `01-proposal.txt`), each file one answer;
stage `any` answers a request whose own stage has no answer left, or that carries no marker.
JSONL layout: one call per line, `{"stage": NAME, "answers": [str, ...]}` (or `"answer": str`); the
recorder writes this plus the request (`messages` or `prompt`) and `params`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from pathlib import Path

from serving.base import Backend, BackendError, GenerationParams, apply_stop, check_messages, resolve_params, stage_of

ANY = "any"
_FILE_RE = re.compile(r"^(\d+)-([A-Za-z_]+)\.txt$")


def load_answers(path) -> dict[str, deque]:
    """Read a folder of `NN-<stage>.txt` files or a JSONL file into {stage: deque of answer lists}.

    Raises BackendError for a missing path, a `.txt` file not named `NN-<stage>.txt`, or a bad JSONL line.
    """
    path = Path(path)
    queues: dict[str, deque] = defaultdict(deque)
    if path.is_dir():
        files = []
        for f in path.glob("*.txt"):
            match = _FILE_RE.match(f.name)
            if not match:
                raise BackendError(f"recorded answer file {f.name!r} in {path} is not named NN-<stage>.txt")
            files.append((int(match.group(1)), match.group(2), f))
        for _, stage, f in sorted(files):
            queues[stage].append([f.read_text(encoding="utf-8")])
    elif path.is_file():
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                answers = record["answers"] if "answers" in record else [record["answer"]]
                if not answers or not all(isinstance(a, str) for a in answers):
                    raise ValueError("answers must be a non-empty list of strings")
            except (ValueError, KeyError, TypeError) as exc:
                raise BackendError(f"{path}:{i}: not a recorded answer ({exc})") from None
            queues[record.get("stage") or ANY].append(answers)
    else:
        raise BackendError(f"no recorded answers at {path} (expected a folder or a .jsonl file)")
    return queues


class RecordedBackend(Backend):
    """Replays answers from `path` (see the module docstring) instead of calling a model.

    A call takes the next recorded item of its stage; a call with n answers gets that item's first
    n answers, cycled when it holds fewer (a single file answers an n=2 reflection twice). Stop
    strings are applied as a model would. Raises BackendError naming the stage once it runs out.
    """

    name = "recorded"

    def __init__(self, path, model: str | None = None):
        self.path = Path(path)
        self.model = model or self.path.name
        self._queues = load_answers(self.path)
        self._counts: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def remaining(self) -> dict[str, int]:
        """How many recorded calls are left per stage."""
        with self._lock:
            return self._remaining()

    def chat(self, messages: list[dict], params: GenerationParams | None = None) -> list[str]:
        return self._next(stage_of(check_messages(messages)), resolve_params(params))

    def complete(self, prompt: str, params: GenerationParams | None = None) -> list[str]:
        return self._next(stage_of([{"role": "user", "content": prompt}]), resolve_params(params))

    def stream_chat(self, messages: list[dict], params: GenerationParams | None = None) -> Iterator[str]:
        return _lines(self.chat(messages, resolve_params(params, streaming=True))[0])

    def stream_complete(self, prompt: str, params: GenerationParams | None = None) -> Iterator[str]:
        return _lines(self.complete(prompt, resolve_params(params, streaming=True))[0])

    def _next(self, stage: str | None, params: GenerationParams) -> list[str]:
        with self._lock:
            for key in (stage, ANY):
                if key is not None and self._queues.get(key):
                    answers = self._queues[key].popleft()
                    self._counts[key] += 1
                    break
            else:
                used = self._counts.get(stage, 0) if stage else 0
                raise BackendError(
                    f"recorded answers for stage {stage or '(no stage marker)'!r} ran out "
                    f"after {used} in {self.path}; left: {self._remaining()}"
                )
        return [apply_stop(answers[i % len(answers)], params.stop) for i in range(params.n)]

    def _remaining(self) -> dict[str, int]:
        return {stage: len(q) for stage, q in self._queues.items() if q}


def _lines(text: str) -> Iterator[str]:
    """Stream a recorded answer line by line, so consumers see several deltas like from a model."""
    yield from text.splitlines(keepends=True)


class Recorder(Backend):
    """Wraps a backend and appends each call's request and answers to a JSONL file `path`.

    The file replays with `RecordedBackend(path)`. Streams are written once they finish. Only
    messages, prompts, params and answers are stored (never a backend's settings, so no key).
    """

    def __init__(self, backend: Backend, path):
        self.inner = backend
        self.name, self.model = backend.name, backend.model
        self.path = Path(path)
        self._lock = threading.Lock()

    def chat(self, messages: list[dict], params: GenerationParams | None = None) -> list[str]:
        answers = self.inner.chat(messages, params)
        self._write(stage_of(messages), {"messages": messages}, params, answers)
        return answers

    def complete(self, prompt: str, params: GenerationParams | None = None) -> list[str]:
        answers = self.inner.complete(prompt, params)
        self._write(stage_of([{"role": "user", "content": prompt}]), {"prompt": prompt}, params, answers)
        return answers

    def stream_chat(self, messages: list[dict], params: GenerationParams | None = None) -> Iterator[str]:
        parts = []
        for delta in self.inner.stream_chat(messages, params):
            parts.append(delta)
            yield delta
        self._write(stage_of(messages), {"messages": messages}, params, ["".join(parts)])

    def stream_complete(self, prompt: str, params: GenerationParams | None = None) -> Iterator[str]:
        parts = []
        for delta in self.inner.stream_complete(prompt, params):
            parts.append(delta)
            yield delta
        self._write(stage_of([{"role": "user", "content": prompt}]), {"prompt": prompt}, params, ["".join(parts)])

    def close(self) -> None:
        self.inner.close()

    def _write(self, stage, request: dict, params, answers: list[str]) -> None:
        record = {
            "stage": stage or ANY,
            **request,
            "params": dataclasses.asdict(resolve_params(params)),
            "answers": answers,
        }
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
