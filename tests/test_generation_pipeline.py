"""The pipeline on recorded model answers (serving.recorded) with a stand-in sandbox.

The stand-in judges code by parsing it only (it never runs it); the real sandbox runs in
test_generation_e2e.py. Each scenario folder in tests/data/recorded/ is one conversation.
"""

import re
import threading
from pathlib import Path

import pytest

import generation.pipeline as pipeline
from generation.events import AttemptFinished, CodeExtracted, Finished, Proposed, SpecRead, StageStarted, Token
from generation.idea import MAX_IDEA_CHARS
from generation.library import Library
from generation.pipeline import GenerateOptions, generate, iter_generate
from serving.base import Backend
from serving.recorded import RecordedBackend
from sim.sandbox.events import STAGES, Stage, StageEvent, VerdictEvent
from sim.sandbox.verdict import unparsed_verdict
from sim.settings import RunSettings

NO_VIDEO = RunSettings(video=False)
DATA = Path(__file__).resolve().parent / "data" / "recorded"
LEFTOVER = re.compile(r"\{\{[A-Z_]+\}\}|[A-Z]+_TEMPLATE")


class Spy(Backend):
    """Delegates to a recorded backend and keeps every request's messages."""

    def __init__(self, inner):
        self.inner, self.name, self.model = inner, inner.name, inner.model
        self.calls = []

    def chat(self, messages, params=None):
        self.calls.append((messages, params))
        return self.inner.chat(messages, params)

    def stream_chat(self, messages, params=None):
        self.calls.append((messages, params))
        return self.inner.stream_chat(messages, params)

    def complete(self, prompt, params=None):
        raise AssertionError("the pipeline only chats")

    def prompt(self, stage):
        """Last user message of the first call whose marker is `stage`."""
        for messages, _ in self.calls:
            if messages[-1]["content"].startswith(f"[stage: {stage}]"):
                return messages
        raise AssertionError(f"no {stage} call")


def stand_in_sandbox(code, settings, *, filename, cancel):
    """Sandbox-shaped events: syntax from ast.parse; a '# NameError' comment fails at reset."""
    import ast

    yield StageEvent(Stage.SYNTAX, "start")
    passed = {s: False for s in STAGES}
    error = None
    try:
        ast.parse(code)
        passed.update(syntax=True, load=True)
        if "# NameError" in code:
            error = {
                "stage": "reset",
                "type": "NameError",
                "message": "name 'COLORS' is not defined",
                "line": 22,
                "traceback": 'Traceback (most recent call last):\n  File "task.py", '
                "line 22, in reset\nNameError: name 'COLORS' is not defined",
            }
        else:
            passed.update(reset=True, runtime=True, success=True)
    except SyntaxError as exc:
        error = {"stage": "syntax", "type": "SyntaxError", "message": exc.msg, "line": exc.lineno, "traceback": ""}
    yield StageEvent(Stage.RESET, "start")
    eps = [{"seed": seed, "success": passed["success"], "reward": float(passed["success"])} for seed in settings.seeds]
    reached = [s for s in STAGES if passed[s]]
    yield VerdictEvent(
        {
            "task": None,
            "episodes": eps,
            "success_rate": float(passed["success"]),
            "stage_reached": reached[-1] if reached else "syntax",
            "passed": passed,
            "success": passed["success"],
            "error": error,
            "warnings": [],
            "video": None,
        }
    )


@pytest.fixture(autouse=True)
def no_real_sandbox(monkeypatch):
    monkeypatch.setattr(pipeline, "iter_run", stand_in_sandbox)


def backend(scenario):
    return Spy(RecordedBackend(DATA / scenario if isinstance(scenario, str) else scenario))


def run(scenario, idea="put the blue block in the yellow bowl", **opts):
    b = backend(scenario)
    events = list(iter_generate(idea, b, options=GenerateOptions(run=RunSettings(video=False), **opts)))
    return b, events, events[-1].result


def test_good_task_accepted_with_events_in_order():
    b, events, r = run("good")
    assert r["error"] is None and r["accepted"] is True
    kinds = [type(e) for e in events]
    assert kinds[0] is StageStarted and kinds[-1] is Finished
    stages = [e.stage for e in events if isinstance(e, StageStarted)]
    assert stages == ["propose", "implement", "syntax", "reset", "verdict", "reflect"]
    assert kinds.index(Proposed) < kinds.index(Token) < kinds.index(CodeExtracted) < kinds.index(AttemptFinished)
    assert kinds.index(CodeExtracted) < kinds.index(StageEvent)  # the sandbox's own events pass through
    tokens = "".join(e.text for e in events if isinstance(e, Token))
    assert tokens == (DATA / "good" / "05-implementation.txt").read_text()
    assert r["proposal"]["task-name"] == "blue-block-in-yellow-bowl"
    assert r["references"] == ["place-red-in-green", "put-block-in-bowl"]
    assert len(r["attempts"]) == 1 and r["final"]["success"] is True
    assert r["reflection"]["votes"][0]["accept"] is True
    assert b.inner.remaining() == {}  # every recorded answer was asked for, by its own stage marker


def test_prompts_carry_reference_code_task_block_and_no_placeholders():
    b, _, r = run("good")
    impl = b.prompt("implementation")
    assert impl[0]["role"] == "system"
    # The proposal exchange is still in the history when the code is written
    # (docs/compat.md#history-truncation).
    assert any(m["content"].startswith("[stage: proposal]") for m in impl)
    assert any(m["content"].startswith("[stage: api_review]") and "def add_goal(" in m["content"] for m in impl)
    last = impl[-1]["content"]
    # The reference code reaches the model (docs/compat.md#reference-code-dropped).
    assert Library().code("place-red-in-green") in last
    assert '<task>\n{"task-name": "blue-block-in-yellow-bowl"' in last
    for messages, _ in b.calls:
        assert not LEFTOVER.search(messages[-1]["content"])
    assert "<idea>\nput the blue block in the yellow bowl\n</idea>" in b.prompt("proposal")[-1]["content"]
    _, refl_params = next(c for c in b.calls if c[0][-1]["content"].startswith("[stage: reflection]"))
    assert refl_params.n == 2 and refl_params.temperature == pytest.approx(0.4)


def test_broken_task_repaired_on_second_attempt():
    b, events, r = run("repair")
    assert [a["verdict"]["success"] for a in r["attempts"]] == [False, True]
    assert r["attempts"][0]["verdict"]["error"]["stage"] == "reset"
    assert r["accepted"] is True
    repair = b.prompt("repair")[-1]["content"]
    assert "failed at the reset stage" in repair and "NameError: name 'COLORS' is not defined" in repair
    assert "# NameError at reset" in repair  # the failing code is shown
    implement_attempts = [e.attempt for e in events if isinstance(e, StageStarted) and e.stage == "implement"]
    assert implement_attempts == [1, 2]


def test_nested_braces_python_word_and_spec():
    _, events, r = run("nested")
    assert r["proposal"]["task-name"] == "python-sort-blocks"
    assert "{by colour}" in r["proposal"]["task-description"]
    raw = (DATA / "nested" / "05-implementation.txt").read_text()
    code = r["attempts"][0]["code"]
    assert code.count("python") == 5  # all five kept
    # The model's block verbatim, after the header lines it did not import itself (os, random, ...).
    block = raw.split("```python\n")[1].split("```")[0]
    assert code.endswith(block) and code.startswith("import os\n")
    assert r["spec"] == {"objects": [{"kind": "block", "color": "red"}], "goals": [{"type": "place"}]}
    assert any(isinstance(e, SpecRead) for e in events)
    # The model's choice, validated: unknown names dropped, file spelling accepted.
    assert r["references"] == ["stack-block-pyramid", "put-block-in-bowl"]


def test_missing_fence_parses_whole_answer():
    _, _, r = run("nofence")
    raw = (DATA / "nofence" / "05-implementation.txt").read_text()
    assert r["attempts"][0]["code"].endswith(raw)
    assert "class BlueBlockInYellowBowl(Task):" in r["attempts"][0]["code"]
    assert r["accepted"] is True  # critic said 'yes'


def test_reflection_rejects_case_insensitively():
    _, _, r = run("reject")
    assert r["final"]["success"] is True and r["accepted"] is False
    assert "duplicates put-block-in-bowl" in r["reflection"]["votes"][0]["reasons"]


def test_garbage_answer_gives_clean_syntax_verdict_with_text():
    _, events, r = run("garbage", repair_attempts=0)
    v = r["final"]
    assert v["stage_reached"] == "syntax" and v["passed"]["syntax"] is False and v["success"] is False
    assert v["error"]["type"] == "ParseError" and "I am sorry" in v["error"]["message"]
    assert r["attempts"][0]["raw"].startswith("I am sorry") and r["attempts"][0]["code"] == ""
    assert r["error"] is None and r["accepted"] is False
    assert not any(isinstance(e, CodeExtracted) for e in events)


@pytest.mark.parametrize(
    "idea,message",
    [
        ("", "describe a task"),
        ("   \x00\x1b ", "U+0000"),
        ("x" * 1_000_000, "2,000"),
        (None, "describe a task"),
        (42, "must be text"),
    ],
)
def test_bad_ideas_give_error_results_without_model_calls(idea, message):
    b, events, r = run("good", idea=idea)
    assert len(events) == 1 and message in r["error"]
    assert b.calls == [] and len(r["idea"]) <= MAX_IDEA_CHARS


def test_control_characters_in_the_idea_are_refused_by_position():
    b, _, r = run("good", idea="put the blue\x1b[31m block in the yellow bowl\n")
    assert "U+001B at position 12" in r["error"] and b.calls == []


def test_refusal_and_unreadable_proposal(tmp_path):
    (tmp_path / "refuse").mkdir()
    (tmp_path / "refuse" / "01-proposal.txt").write_text(
        '```json\n{"refusal": "A suction arm cannot do a backflip.", "suggestion": "stack-block-pyramid"}\n```'
    )
    _, _, r = run(tmp_path / "refuse", idea="do a backflip")
    assert r["refusal"] == {"refusal": "A suction arm cannot do a backflip.", "suggestion": "stack-block-pyramid"}
    assert r["attempts"] == [] and r["error"] is None and r["accepted"] is False
    (tmp_path / "prose").mkdir()
    (tmp_path / "prose" / "01-proposal.txt").write_text("What a lovely idea!")
    _, _, r = run(tmp_path / "prose")
    assert "Could not read the task proposal" in r["error"] and "lovely idea" in r["error"]


def test_backend_running_out_is_an_error_result():
    _, _, r = run("garbage", repair_attempts=1)  # the recorded repair answer does not exist
    assert r["error"].startswith("The model backend failed") and len(r["attempts"]) == 1


def test_cancel_before_start():
    cancel = threading.Event()
    cancel.set()
    b = backend("good")
    r = generate("put the blue block in the yellow bowl", b, options=GenerateOptions(run=NO_VIDEO), cancel=cancel)
    assert r["error"] == "Cancelled." and b.calls == []


def test_bottomup_sends_empty_idea_and_cot_mentions_goal():
    b, _, r = run("good", idea="", mode="bottomup")
    assert "<idea>\n\n</idea>" in b.prompt("proposal")[-1]["content"] and r["accepted"]
    b, _, r = run("good", idea="", mode="cot", target="build-car")
    assert "<idea>\nDesign the task 'build-car'.\n</idea>" in b.prompt("proposal")[-1]["content"]
    assert "The long-term goal is: build-car" in b.prompt("reflection")[-1]["content"]


def test_options_validation():
    for bad in (
        dict(mode="sideways"),
        dict(repair_attempts=9),
        dict(temperature=-1),
        dict(run={"episodes": 0}),
        dict(run={"video_size": (0, 5)}),
        dict(run={"seed": -1}),
        dict(run=7),
    ):
        with pytest.raises(ValueError):
            GenerateOptions(**bad)
    ok = GenerateOptions(repair_attempts=1.0, run={"episodes": 3.0, "video_size": [640.0, 480]})  # as sliders send
    assert ok.repair_attempts == 1 and ok.run == RunSettings(episodes=3, video_size=(640, 480))


def test_cancel_while_the_code_streams():
    cancel = threading.Event()
    events = []
    for event in iter_generate(
        "put the blue block in the yellow bowl", backend("good"), options=GenerateOptions(run=NO_VIDEO), cancel=cancel
    ):
        events.append(event)
        if isinstance(event, Token):
            cancel.set()
    r = events[-1].result
    assert r["error"] == "Cancelled." and r["attempts"] == []
    assert sum(isinstance(e, Token) for e in events) == 1


def test_sandbox_crash_becomes_an_error_result(monkeypatch):
    def broken_sandbox(code, settings, **options):
        raise OSError("bwrap: no permission")
        yield  # a generator, as iter_run

    monkeypatch.setattr(pipeline, "iter_run", broken_sandbox)
    _, _, r = run("good")
    assert r["error"] == "The sandbox failed: OSError: bwrap: no permission" and r["accepted"] is False


def test_sandbox_fault_is_not_sent_for_repair(monkeypatch):
    def failing_start(code, settings, **options):
        error = {"stage": "syntax", "type": "SandboxStartError", "message": "child exited (1)", "line": None}
        yield VerdictEvent(unparsed_verdict("x") | {"error": error | {"traceback": ""}})

    monkeypatch.setattr(pipeline, "iter_run", failing_start)
    b, _, r = run("repair")
    assert r["error"] == "The sandbox could not run the task: child exited (1)"
    assert len(r["attempts"]) == 1 and not any(m[-1]["content"].startswith("[stage: repair]") for m, _ in b.calls)


def test_verdicts_serialise_with_orjson_as_the_app_does():
    # Gradio's JSON panel uses orjson, which refuses str subclasses (the Stage enum) as dict keys.
    import orjson

    verdict = unparsed_verdict("no code")
    assert all(type(k) is str for k in verdict["passed"]) and type(verdict["stage_reached"]) is str
    assert orjson.loads(orjson.dumps(verdict))["error"]["stage"] == "syntax"
