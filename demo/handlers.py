"""Event handlers of the app: plain generator functions that call `generation`, `serving` and `sim`.

Each handler yields tuples in the order of its `*_OUTPUTS` list (the layout wires components in the
same order). Nothing here imports torch, transformers or pybullet: `python app.py` starts fast, and
task code runs only in the sandbox.
"""

from __future__ import annotations

import io
import logging
import shutil
import tempfile
import threading
import time
import traceback
import uuid
from contextlib import contextmanager
from pathlib import Path

import gradio as gr
from PIL import Image

from demo import library, render
from demo.deployment import BUSY_MESSAGE, Deployment, InputError, VisitorRuns
from demo.learned import LearnedPolicy
from generation.events import (
    AttemptFinished,
    CodeExtracted,
    Finished,
    PipelineStage,
    Proposed,
    SpecRead,
    StageStarted,
    Token,
)
from generation.idea import clean_idea
from generation.pipeline import GenerateOptions, iter_generate
from serving import make_backend
from serving.secrets import scrub, scrub_tree
from sim.sandbox import iter_run
from sim.sandbox.events import FrameEvent, LogEvent, StageEvent, VerdictEvent
from sim.settings import RunSettings
from sim.tasks import task_path

log = logging.getLogger("gensim.app")

GENERATE_OUTPUTS = ["stages", "code", "spec", "frame", "video", "verdict", "verdict_json", "attempts", "log", "result"]
RUN_OUTPUTS = ["stages", "code", "frame", "video", "verdict", "verdict_json"]
# Streaming every token or frame would flood the browser; ~8 updates a second reads as live.
UPDATE_EVERY_S = 0.12
LOG_LINES = 200
VIDEO_DIR = Path(tempfile.gettempdir()) / "gensim-app-videos"
VIDEO_KEEP_S = 3600
STOPPED = "Stopped. The sandbox process was ended."


class Runs:
    """The cancel Events of the runs in flight, keyed by (browser session, kind of run).

    Stop sets the Events of its own session only; sessions never see each other's runs. An API
    client may run several at once in one session; Stop then ends them all.
    """

    def __init__(self):
        self._events: dict[tuple[str, str], set[threading.Event]] = {}
        self._lock = threading.Lock()

    def begin(self, session: str, kind: str) -> threading.Event:
        """A fresh Event for a new run."""
        event = threading.Event()
        with self._lock:
            self._events.setdefault((session, kind), set()).add(event)
        return event

    def end(self, session: str, kind: str, event: threading.Event) -> None:
        """Forget the run's Event."""
        with self._lock:
            events = self._events.get((session, kind), set())
            events.discard(event)
            if not events:
                self._events.pop((session, kind), None)

    def stop(self, session: str, kind: str) -> bool:
        """Set the Events of the session's runs of `kind`; False when none was running."""
        with self._lock:
            events = list(self._events.get((session, kind), ()))
        for event in events:
            event.set()
        return bool(events)


class LocalModels:
    """The most recently used in-process transformers backend, kept loaded between requests.

    Loading a model takes seconds to minutes, so consecutive requests for the same (model, adapter)
    share one backend (its own lock serialises generation); asking for another closes it first,
    so at most one model occupies memory.
    """

    def __init__(self):
        self._key, self._backend = None, None
        self._lock = threading.Lock()

    def get(self, config: dict):
        """The backend for `config` ({"model", "adapter"?}); raises what make_backend raises."""
        key = (config.get("model"), config.get("adapter"))
        with self._lock:
            if self._key != key:
                if self._backend is not None:
                    self._backend.close()
                self._key, self._backend = None, None
                self._backend = make_backend("transformers", **config)
                self._key = key
            return self._backend


# One of each per process: Stop arrives as its own event and must find the run it stops, a
# loaded model is worth keeping across visitors, and the one-run-per-visitor rule spans all sessions.
RUNS = Runs()
LOCAL_MODELS = LocalModels()
VISITOR_RUNS = VisitorRuns()
# The operator's policy; `demo.layout.build_demo` replaces it with the one the page was built for.
DEPLOYMENT = Deployment.from_env()
# The learned policy the Library tab can run (GENSIM_POLICY); build_demo sets it from DEPLOYMENT.
POLICY = LearnedPolicy(DEPLOYMENT.policy)


@contextmanager
def visitor_slot(request):
    """Yield True while the request's visitor holds their one run slot (public mode), False when they
    already have a run in flight. Private mode has no per-visitor limit."""
    if not DEPLOYMENT.public:
        yield True
        return
    visitor = DEPLOYMENT.visitor(request)
    if not VISITOR_RUNS.acquire(visitor):
        yield False
        return
    try:
        yield True
    finally:
        VISITOR_RUNS.release(visitor)


class Screen:
    """Current value of every output; `emit` sends them all, changed or not.

    Never `gr.skip()` for an unchanged output: Gradio answers it with a new component (a new id) in
    the session's config, and the next value sent to that output files that component under its own
    id as well, so every skip-then-value kept one more component (and its config) for the session's
    life: a long session's memory grew with each run (demo/README.md "Load and faults"). Sending the
    value again costs little: Gradio sends a streaming generator's outputs as differences to the
    previous ones, and an unchanged live frame is encoded again into the same cache file.

    Everything sent passes `serving.secrets.scrub` (the server's secrets, `secrets` such as a key the
    visitor typed, and key-shaped strings), except the `private` outputs (gr.State, never shown).
    """

    def __init__(self, names: list[str], secrets: tuple[str, ...] = (), private: tuple[str, ...] = (), **initial):
        self.names = names
        self.values = {name: None for name in names} | initial
        self.dirty = set(names)
        self.last = 0.0
        self.secrets = tuple(s for s in secrets if s)
        self.private = set(private)

    def set(self, **values) -> None:
        self.values.update(values)
        self.dirty.update(values)

    def due(self) -> bool:
        """Whether enough time passed since the last emit to send another update."""
        return bool(self.dirty) and time.monotonic() - self.last >= UPDATE_EVERY_S

    def emit(self) -> tuple:
        """The values of all outputs, in `names` order (scrubbed, except `private` ones)."""
        out = tuple(self._shown(n) for n in self.names)
        self.dirty.clear()
        self.last = time.monotonic()
        return out

    def _shown(self, name: str):
        value = self.values[name]
        return value if name in self.private else scrub_tree(value, self.secrets)


def _session(request: gr.Request | None) -> str:
    return (request.session_hash if request is not None else None) or "api"


def _jpeg_to_image(jpeg: bytes):
    return Image.open(io.BytesIO(jpeg)).convert("RGB")


def keep_video(path: str | None) -> str | None:
    """Move a run's mp4 out of the temp folder the sandbox made for it (the caller owns and removes
    that folder, INTERFACES.md) into the app's video folder; returns the new path or None.

    Files older than VIDEO_KEEP_S seconds are pruned on each call.
    """
    if not path or not Path(path).is_file():
        return None
    VIDEO_DIR.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in VIDEO_DIR.glob("*.mp4"):
        if now - old.stat().st_mtime > VIDEO_KEEP_S:
            old.unlink(missing_ok=True)
    kept = VIDEO_DIR / f"{uuid.uuid4().hex}.mp4"
    shutil.move(path, kept)
    _remove_empty_parent(path)
    return str(kept)


def discard_video(path: str | None) -> None:
    """Delete a run's mp4 that is not shown (an earlier attempt's) and its temp folder."""
    if path:
        Path(path).unlink(missing_ok=True)
        _remove_empty_parent(path)


def _remove_empty_parent(path: str) -> None:
    try:
        Path(path).parent.rmdir()  # only succeeds when the folder is empty
    except OSError:
        pass


def _public_verdict(verdict: dict | None) -> dict | None:
    """The verdict for the JSON panel/API: the video path swapped for a note (the Video has it)."""
    if not verdict:
        return verdict
    return {k: v for k, v in verdict.items() if k != "video"}


def generate(
    idea,
    backend_kind,
    base_url,
    model,
    api_key,
    local_model,
    adapter,
    temperature,
    repair_attempts,
    episodes,
    seed,
    video_size,
    request: gr.Request = None,
):
    """Write a task for `idea` with the chosen backend, run it in the sandbox and judge it.

    Yields tuples ordered as GENERATE_OUTPUTS: stage strip HTML, code, understood spec (offline),
    live frame (PIL image), mp4 path, verdict HTML, verdict dict, attempts HTML, sandbox log, and the
    session's result (state: code + whether it passed, for Save to library; never the key).
    Bad input, a setting the deployment does not allow, a second run of the same visitor in public
    mode, or backend errors end in a message in the verdict panel, never an exception.
    """
    tracker = render.StageTracker(render.GENERATE_STAGES)
    screen = Screen(
        GENERATE_OUTPUTS,
        secrets=(api_key or "",),
        private=("result",),
        stages=tracker.html(),
        code="",
        verdict=render.message_html("Starting…"),
    )

    def body(cancel):
        yield screen.emit()
        checked_idea, options = _checked(idea, temperature, repair_attempts, episodes, seed, video_size)
        backend = _backend(backend_kind, base_url, model, api_key, local_model, adapter)
        yield from stream_generation(screen, tracker, checked_idea, backend, options, cancel)

    yield from _serve(screen, tracker, request, "generate", body)


def _checked(idea, temperature, repair_attempts, episodes, seed, video_size):
    """(clean idea, GenerateOptions) from the form; InputError naming the bad value."""
    try:
        options = GenerateOptions(
            repair_attempts=repair_attempts,
            temperature=float(temperature or 0.0),
            run=RunSettings(episodes=episodes, seed=seed, video_size=video_size),
        )
        return clean_idea(idea), options
    except ValueError as exc:  # the idea or a setting: the message names it
        raise InputError(str(exc)) from None


def _backend(kind, base_url, model, api_key, local_model, adapter):
    """The backend the deployment allows for these fields (InputError otherwise). The key lives in the
    backend object only, for this request."""
    config = DEPLOYMENT.backend_config(kind, base_url, model, api_key, local_model, adapter)
    try:
        return LOCAL_MODELS.get(config) if kind == "transformers" else make_backend(kind, **config)
    except ValueError as exc:  # a setting the backend does not take, or a refused visitor URL
        raise InputError(str(exc)) from None


def stream_generation(
    screen: Screen, tracker: render.StageTracker, idea: str, backend, options, cancel: threading.Event
):
    """Run `generation.pipeline.iter_generate` and yield `screen` updates (GENERATE_OUTPUTS order)
    as its events arrive; the last update shows the Result in every panel."""
    tokens, logs, attempts = "", [], []
    for event in iter_generate(idea, backend, options=options, cancel=cancel):
        urgent = False
        match event:
            case StageStarted(stage=stage, attempt=attempt):
                if stage == PipelineStage.IMPLEMENT:
                    tokens = ""
                tracker.start(stage, attempt)
                screen.set(stages=tracker.html())
                urgent = True
            case Token(text=text):
                tokens += text
                screen.set(code=tokens)
            case CodeExtracted(code=code):
                screen.set(code=code)
                urgent = True
            case SpecRead(spec=spec):
                screen.set(spec=spec)
            case Proposed(proposal=proposal):
                tracker.note = str(proposal.get("task-name") or "")
                screen.set(stages=tracker.html())
            case AttemptFinished(attempt=attempt):
                attempts.append(attempt)
                screen.set(attempts=render.attempts_html(attempts))
            case FrameEvent(jpeg=jpeg):
                screen.set(frame=_jpeg_to_image(jpeg))
            case StageEvent():
                tracker.sandbox(event)
                screen.set(stages=tracker.html())
            case LogEvent(stream=stream, line=line):
                logs = (logs + [f"[{stream}] {line}"])[-LOG_LINES:]
                screen.set(log="\n".join(logs))
            case Finished(result=result):
                _show_result(screen, tracker, result, cancel.is_set())
                yield screen.emit()
                return
        if urgent or screen.due():
            yield screen.emit()
    tracker.finish(None)
    screen.set(stages=tracker.html(), verdict=render.message_html("The pipeline ended without a result.", "error"))
    yield screen.emit()


def _show_result(screen: Screen, tracker: render.StageTracker, result: dict, stopped: bool) -> None:
    """Fill every panel from the pipeline's Result (INTERFACES.md `generation`)."""
    final = result.get("final")
    attempts = result.get("attempts") or []
    for attempt in attempts:
        if attempt.get("verdict") is not final:
            discard_video((attempt.get("verdict") or {}).get("video"))
    code = attempts[-1].get("code") if attempts else screen.values.get("code")
    tracker.finish(final)
    if result.get("refusal"):
        refusal = result["refusal"]
        text = refusal.get("refusal") if isinstance(refusal, dict) else str(refusal)
        hint = refusal.get("suggestion") if isinstance(refusal, dict) else None
        headline = f"Not generated: {text}" + (f" Try the library task “{hint}”." if hint else "")
        verdict = render.message_html(headline, "error")
    elif stopped and not (final or {}).get("success"):
        verdict = render.message_html(STOPPED, "info")
    elif final:
        # What was understood above the verdict, so a SUCCESS reads as success at *this* task.
        verdict = render.understanding_html(result.get("understanding")) + render.verdict_html(final, code or "")
        if result.get("error"):
            verdict += render.message_html(str(result["error"]), "error")
    else:
        verdict = render.message_html(str(result.get("error") or "No task was produced."), "error")
    screen.set(
        stages=tracker.html(),
        code=code or "",
        spec=result.get("spec") or screen.values.get("spec"),
        video=keep_video((final or {}).get("video")),
        verdict=verdict,
        verdict_json=_public_verdict(final),
        attempts=render.attempts_html(attempts),
        result={
            "idea": result.get("idea"),
            "backend": result.get("backend"),
            "model": result.get("model"),
            "code": code,
            "accepted": bool(result.get("accepted")),
            "success_rate": (final or {}).get("success_rate"),
            "task": (final or {}).get("task"),
            "episodes": len((final or {}).get("episodes") or []),
        },
    )


def stop_generate(request: gr.Request = None):
    """Stop button of the Generate tab: set the cancel Event of this session's generation.

    Returns the verdict panel's new content ("Stopped.") or gr.skip() when nothing was running.
    """
    if RUNS.stop(_session(request), "generate"):
        return render.message_html("Stopping…", "info")
    return gr.skip()


def stop_run(request: gr.Request = None):
    """Stop button of the Library tab: as stop_generate, for this session's task run."""
    if RUNS.stop(_session(request), "run_task"):
        return render.message_html("Stopping…", "info")
    return gr.skip()


def run_task(name, episodes, seed, video_size, request: gr.Request = None):
    """Run library task `name` with the oracle in the sandbox and stream it.

    Yields tuples ordered as RUN_OUTPUTS: stage strip HTML, code, live frame, mp4 path, verdict HTML,
    verdict dict. An unknown name, a bad setting or a second run of the same visitor in public mode
    ends in a message, never an exception.
    """
    tracker = render.StageTracker(render.RUN_STAGES)
    screen = Screen(RUN_OUTPUTS, stages=tracker.html(), verdict=render.message_html("Starting…"))
    yield from _serve(
        screen,
        tracker,
        request,
        "run_task",
        lambda cancel: _run_task(screen, tracker, cancel, name, episodes, seed, video_size),
    )


def run_policy(name, episodes, seed, video_size, request: gr.Request = None):
    """Run library task `name` with the operator's learned policy (GENSIM_POLICY) acting instead of
    the oracle, in the sandbox, and stream it like `run_task` (same outputs); the verdict panel adds
    the policy's score. Stop stops it like an oracle run. Without a configured or loadable policy it
    ends in a message, never an exception."""
    tracker = render.StageTracker(render.RUN_STAGES)
    screen = Screen(RUN_OUTPUTS, stages=tracker.html(), verdict=render.message_html("Starting…"))

    def body(cancel):
        try:
            steps = POLICY.steps()
        except RuntimeError as exc:
            raise InputError(str(exc)) from None
        yield from _run_task(screen, tracker, cancel, name, episodes, seed, video_size, steps, POLICY.label)

    yield from _serve(screen, tracker, request, "run_task", body)


def _serve(screen: Screen, tracker: render.StageTracker, request, kind: str, body):
    """Run the handler `body(cancel)` (a generator of screen updates) for the request's visitor and
    yield its updates: one run per visitor in public mode, its cancel Event registered for Stop (`kind`
    names the button), bad input or a backend error shown as a message, any other failure as an
    internal error (logged, scrubbed); the app keeps serving whatever happens."""
    session = _session(request)
    with visitor_slot(request) as admitted:
        if not admitted:
            screen.set(verdict=render.message_html(BUSY_MESSAGE, "error"))
            yield screen.emit()
            return
        cancel = RUNS.begin(session, kind)
        try:
            yield from body(cancel)
        except InputError as exc:
            screen.set(verdict=render.message_html(str(exc), "error"))
            yield screen.emit()
        except Exception as exc:  # the app keeps serving whatever a backend or task does
            name = type(exc).__name__
            if name != "BackendError":
                log.error("%s failed: %s", kind, scrub(traceback.format_exc(), screen.secrets))
            text = str(exc) if name == "BackendError" else f"Internal error: {name}: {exc}"
            tracker.finish(None)
            screen.set(stages=tracker.html(), verdict=render.message_html(text, "error"))
            yield screen.emit()
        finally:
            cancel.set()  # a closed generator (Stop, closed tab) also ends the sandbox process
            RUNS.end(session, kind, cancel)


def _run_task(screen, tracker, cancel, name, episodes, seed, video_size, steps=None, actor=None):
    """Stream library task `name` through the sandbox (raises InputError for bad settings). steps,
    actor: sandbox step options and the name of who acts instead of the oracle (a learned policy)."""
    try:
        source = task_path(str(name or "")).read_text()
    except KeyError as exc:
        raise InputError(str(exc.args[0]) if exc.args else f"Unknown task {name!r}.") from None
    try:
        settings = RunSettings(episodes=episodes, seed=seed, video_size=video_size)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    screen.set(code=source)
    yield screen.emit()
    filename = f"{str(name).replace('-', '_')}.py"
    for event in iter_run(source, settings, filename=filename, stream_frames=True, cancel=cancel, steps=steps):
        match event:
            case FrameEvent(jpeg=jpeg):
                screen.set(frame=_jpeg_to_image(jpeg))
            case StageEvent():
                tracker.sandbox(event)
                screen.set(stages=tracker.html())
                yield screen.emit()
                continue
            case VerdictEvent(verdict=verdict):
                tracker.finish(verdict)
                stopped = cancel.is_set() and not verdict.get("success")
                screen.set(
                    stages=tracker.html(),
                    video=keep_video(verdict.get("video")),
                    verdict=render.message_html(STOPPED, "info")
                    if stopped
                    else render.verdict_html(verdict, source, actor=actor),
                    verdict_json=_public_verdict(verdict),
                )
                yield screen.emit()
                return
        if screen.due():
            yield screen.emit()


def save_to_library(result, name, operator_token, request: gr.Request = None):
    """Save to library button: the deployment's rule first (public mode: off, or the operator token),
    then `demo.library.save`. Returns (message HTML, table rows, dropdown update)."""
    try:
        DEPLOYMENT.check_save(operator_token)
    except InputError as exc:
        return render.message_html(str(exc), "error"), *library.listing()
    return library.save(result, name)
