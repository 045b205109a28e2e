"""The GenSim task-creation pipeline (docs/pipeline.md): propose -> review API and errors -> pick reference
code -> implement -> test in the sandbox (-> repair, up to K times) -> reflect.

    from generation.pipeline import GenerateOptions, iter_generate
    for event in iter_generate("stack three red blocks", backend, options=GenerateOptions()):
        ...  # generation.events (and the sandbox's events); the last one is Finished(result)

Model output is parsed as data only; code runs only through `sim.sandbox.iter_run`.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import traceback
from collections.abc import Iterator

from generation import prompt_assembly as P
from generation.answers import (
    ParseError,
    extract_code,
    extract_dict,
    extract_list,
    fenced_blocks,
    normalise_proposal,
    parse_bool,
    with_import_header,
)
from generation.conversation import Conversation
from generation.events import (
    FROM_SANDBOX,
    AttemptFinished,
    CodeExtracted,
    Finished,
    GenerationEvent,
    PipelineStage,
    Proposed,
    Reflected,
    SpecRead,
    StageStarted,
    Token,
)
from generation.idea import MAX_IDEA_CHARS, IdeaError, clean_idea
from generation.library import Library
from generation.stats import normalise_asset
from serving.base import Backend, BackendError, GenerationParams
from sim.sandbox import iter_run
from sim.sandbox.events import StageEvent, VerdictEvent
from sim.sandbox.verdict import unparsed_verdict
from sim.settings import RunSettings

MODES = ("topdown", "bottomup", "cot")


REFERENCE_COUNT = 3
# Verdict error types that are faults of the sandbox itself, not of the task code: no repair helps.
SANDBOX_FAULTS = ("SandboxStartError", "SandboxError")
# docs/pipeline.md#stages: the critic samples n = 2 answers at temperature 0.4; any rejection vetoes.
REFLECTION_VOTES, REFLECTION_TEMPERATURE = 2, 0.4


@dataclasses.dataclass
class GenerateOptions:
    """Settings of one generation.

    mode: "topdown" (design the idea or `target`), "bottomup" (something new for the library) or
      "cot" (a stepping-stone task towards the idea or `target`).
    repair_attempts: 0-5 extra implementation attempts after a failed sandbox verdict.
    temperature: sampling temperature of the proposal (other stages use 0, reflection 0.4).
    target: task name the top-down / chain-of-thought modes aim at, or None.
    run: how each attempt runs in the sandbox (`sim.settings.RunSettings`: episodes, seed, video,
      size, fps, limits); a dict of its fields is accepted (as `dataclasses.asdict` writes it).
      Its seed also picks the library tasks listed in prompts.
    Raises ValueError naming the bad value.
    """

    mode: str = "topdown"
    repair_attempts: int = 2
    temperature: float = 0.0
    target: str | None = None
    run: RunSettings = dataclasses.field(default_factory=RunSettings)

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        self.repair_attempts = _as_int("repair_attempts", self.repair_attempts, 0, 5)
        if isinstance(self.run, dict):
            self.run = RunSettings(**self.run)
        if not isinstance(self.run, RunSettings):
            raise ValueError(f"run must be a RunSettings, got {type(self.run).__name__}")
        if (
            isinstance(self.temperature, bool)
            or not isinstance(self.temperature, (int, float))
            or not 0 <= self.temperature <= 2
        ):
            raise ValueError(f"temperature must be in 0..2, got {self.temperature!r}")
        if self.target is not None and not isinstance(self.target, str):
            raise ValueError(f"target must be a task name or None, got {self.target!r}")


def _as_int(name: str, value, lo: int, hi: int) -> int:
    """`value` as an int in lo..hi; integral floats (as UI sliders send) are accepted."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer {lo}..{hi}, got {value!r}")
    return value


class GenerationError(RuntimeError):
    """A trial cannot go on; the message is shown to the user as the result's `error`."""


def _goal(idea: str, options: GenerateOptions) -> str:
    """The text placed between <idea> and </idea> for the options' mode (`idea` already checked)."""
    if options.mode == "bottomup":
        return ""
    return idea or f"Design the task '{options.target}'."


class _Trial:
    """State of one generation: the conversation, the result being built, the options."""

    def __init__(self, backend: Backend, options: GenerateOptions, cancel, library: Library, result):
        self.backend, self.options, self.cancel, self.library = backend, options, cancel, library
        self.result = result
        self.conv = Conversation(P.system_message())

    def check_cancel(self):
        if self.cancel is not None and self.cancel.is_set():
            raise GenerationError("Cancelled.")

    def ask(self, prompt: str, *, temperature=0.0, pinned=False) -> str:
        """One chat turn; the first answer is kept in the history and returned."""
        self.check_cancel()
        self.conv.add("user", prompt, pinned)
        answers = self.backend.chat(self.conv.messages(), GenerationParams(temperature=temperature))
        text = answers[0] if answers else ""
        self.conv.add("assistant", text, pinned)
        return text

    def stream(self, prompt: str) -> Iterator[Token]:
        """One streamed chat turn at temperature 0: yields `Token`s, returns the answer."""
        self.check_cancel()
        self.conv.add("user", prompt)
        parts = []
        for delta in self.backend.stream_chat(self.conv.messages(), GenerationParams()):
            parts.append(delta)
            yield Token(delta)
            self.check_cancel()
        text = "".join(parts)
        self.conv.add("assistant", text)
        return text

    # -- stages ------------------------------------------------------------------------------
    def propose(self, goal: str, entries: list[dict]) -> Iterator[GenerationEvent]:
        yield StageStarted(PipelineStage.PROPOSE, 0)
        prompt = P.render(
            f"proposal_{self.options.mode}",
            "proposal",
            IDEA=goal,
            ASSETS=P.asset_catalogue(),
            LIBRARY_TASKS=P.library_listing(entries, 30, self.options.run.seed),
        )
        answer = self.ask(prompt, temperature=self.options.temperature, pinned=True)
        try:
            data = extract_dict(answer)
            if "refusal" in data:
                suggestion = data.get("suggestion")
                self.result["refusal"] = {
                    "refusal": str(data["refusal"]),
                    "suggestion": suggestion if isinstance(suggestion, str) else None,
                }
                self.result["understanding"] = {
                    "summary": "Nothing is built: the idea was refused.",
                    "faithful": None,
                    "notes": [],
                }
                return None
            proposal = normalise_proposal(data)
            # A backend that reports what it understood (the offline one) is taken at its word;
            # a model's understanding is its proposal, so faithfulness is unknown (None).
            self.result["understanding"] = understanding_of(data) or {
                "summary": proposal["task-description"],
                "faithful": None,
                "notes": [],
            }
        except ParseError as exc:
            raise GenerationError(f"Could not read the task proposal: {exc} The model said: {answer[:500]!r}") from None
        self.result["proposal"] = proposal
        yield Proposed(proposal)
        return proposal

    def references(self, proposal: dict, entries: list[dict]) -> list[str]:
        """Library task names to show as reference code: the model's choice, validated; when it
        names none that exist, the tasks sharing most assets with the proposal."""
        if not entries:
            return []
        names = [e["name"] for e in entries]
        prompt = P.render(
            "reference_selection",
            "reference_selection",
            TASK_JSON=P.task_json(proposal),
            LIBRARY_TASKS=P.library_listing(entries),
            COUNT=REFERENCE_COUNT,
        )
        try:
            chosen = [n for n in extract_list(self.ask(prompt)) if isinstance(n, str)]
        except ParseError:
            chosen = []
        chosen = [n.strip().replace("_", "-").removesuffix(".py") for n in chosen]
        picked = list(dict.fromkeys(n for n in chosen if n in names))[:REFERENCE_COUNT]
        if not picked:
            mine = {normalise_asset(a) for a in proposal["assets-used"]}
            overlap = {e["name"]: len(mine & {normalise_asset(a) for a in e.get("assets", [])}) for e in entries}
            picked = sorted(names, key=lambda n: (-overlap[n], n))[:REFERENCE_COUNT]
        return picked

    def implement(self, proposal: dict, entries: list[dict]) -> Iterator[GenerationEvent]:
        name = proposal["task-name"]
        yield StageStarted(PipelineStage.IMPLEMENT, 1)
        # Pinned: the API listing is what the code must follow, so truncation never drops it.
        self.ask(P.render("api_review", "api_review", TASK_NAME=name, TASK_API=P.task_api_listing()), pinned=True)
        self.ask(P.render("error_review", "error_review", TASK_NAME=name))
        blocks = []
        for ref in self.references(proposal, entries):
            try:
                blocks.append(P.fenced(self.library.code(ref), f"{ref} ({ref.replace('-', '_')}.py)"))
            except KeyError:  # purged since the listing: show the others
                continue
            self.result["references"].append(ref)
        ref_code = "\n\n".join(blocks) or "(the library is empty)"
        prompt = P.render(
            "implementation", "implementation", TASK_JSON=P.task_json(proposal), REFERENCE_CODE=ref_code, TASK_NAME=name
        )
        return (yield from self.stream(prompt))

    def test(self, answer: str, attempt: int) -> Iterator[GenerationEvent]:
        """Parse an implementation answer and run it in the sandbox; returns the verdict."""
        try:
            code = with_import_header(extract_code(answer))
        except ParseError as exc:
            code = ""
            verdict = unparsed_verdict(f"{exc} The answer began: {answer[:300]!r}")
        else:
            spec = next((b for lang, b in fenced_blocks(answer) if lang == "json"), None)
            if spec is not None:
                try:
                    self.result["spec"] = extract_dict(spec)
                    self.result["understanding"] = understanding_of(self.result["spec"]) or self.result["understanding"]
                    yield SpecRead(self.result["spec"])
                except ParseError:
                    pass
            yield CodeExtracted(code, attempt)
            verdict = yield from self.run_sandbox(code, attempt)
        record = {"code": code, "raw": answer, "verdict": verdict}
        self.result["attempts"].append(record)
        self.result["final"] = verdict
        yield AttemptFinished(dict(record, attempt=attempt))
        return verdict

    def run_sandbox(self, code: str, attempt: int) -> Iterator[GenerationEvent]:
        verdict = None
        try:
            for event in iter_run(code, self.options.run, filename="task.py", cancel=self.cancel):
                match event:
                    case VerdictEvent(verdict=verdict):
                        yield StageStarted(PipelineStage.VERDICT, attempt)
                        continue
                    case StageEvent(stage=stage, status="start") if FROM_SANDBOX[stage] != PipelineStage.VERDICT:
                        yield StageStarted(FROM_SANDBOX[stage], attempt)
                yield event
        except Exception as exc:  # the sandbox is a process boundary: report, never crash the caller
            raise GenerationError(f"The sandbox failed: {type(exc).__name__}: {exc}") from exc
        if verdict is None:
            raise GenerationError("The sandbox ended without a verdict.")
        return verdict

    def repair_prompt(self, proposal: dict, code: str, raw: str, verdict: dict, attempt: int) -> str:
        err = verdict.get("error") or {}
        if err:
            message = f"{err.get('type') or 'Error'}: {err.get('message') or ''}".strip()
            if err.get("line"):
                message += f" (line {err['line']})"
        else:
            eps = verdict.get("episodes") or []
            ok = sum(1 for e in eps if e.get("success"))
            message = (
                f"The task ran, but the scripted oracle completed it in only {ok} of {len(eps)} "
                "episodes: check that goals are reachable, targets spaced apart and that the "
                "goals' rewards sum to 1."
            )
        return P.render(
            "repair",
            "repair",
            ATTEMPT=attempt,
            STAGE=err.get("stage") or verdict.get("stage_reached") or "success",
            TASK_JSON=P.task_json(proposal),
            ERROR=message,
            TRACEBACK=P.trim_traceback(err.get("traceback") or "") or "(none)",
            CODE=(code or raw[:4000]).rstrip(),
        )

    def reflect(self, proposal: dict, code: str, verdict: dict, entries: list[dict], attempt: int):
        yield StageStarted(PipelineStage.REFLECT, attempt)
        eps = verdict.get("episodes") or []
        summary = (
            f"the oracle succeeded in {sum(1 for e in eps if e.get('success'))} of {len(eps)} "
            f"episodes (success rate {verdict.get('success_rate', 0.0):.2f})."
        )
        target = self.options.target or (self.result["idea"] if self.options.mode == "cot" else "")
        note = (
            f"The long-term goal is: {target} — the task should be a useful step towards it.\n"
            if self.options.mode == "cot" and target
            else ""
        )
        prompt = P.render(
            "reflection",
            "reflection",
            TASK_JSON=P.task_json(proposal),
            CODE=code.rstrip(),
            VERDICT=summary,
            GOAL_NOTE=note,
            LIBRARY_TASKS=P.library_listing(entries, 20, self.options.run.seed),
        )
        self.check_cancel()
        self.conv.add("user", prompt)
        answers = self.backend.chat(
            self.conv.messages(), GenerationParams(temperature=REFLECTION_TEMPERATURE, n=REFLECTION_VOTES)
        )
        votes = [reflection_vote(a) for a in answers] or [reflection_vote("")]
        self.conv.add("assistant", answers[0] if answers else "")
        reflection = {"accepted": all(v["accept"] for v in votes), "votes": votes}
        self.result["reflection"] = reflection
        self.result["accepted"] = reflection["accepted"]
        yield Reflected(reflection)


def reflection_vote(answer: str) -> dict:
    """One critic answer as {"accept": bool, "reasons": str}; an unreadable answer rejects."""
    try:
        data = extract_dict(answer)
    except ParseError:
        return {"accept": False, "reasons": f"unreadable critic answer: {answer[:200]!r}"}
    value = next((v for k, v in data.items() if str(k).lower().replace("-", "_") == "add_to_the_task_list"), None)
    accept = parse_bool(value)
    reasons = str(data.get("reasons", ""))
    if accept is None:
        return {"accept": False, "reasons": f"no true/false verdict in the critic answer; {reasons}"}
    return {"accept": accept, "reasons": reasons}


def understanding_of(data: dict) -> dict | None:
    """data["understanding"] as {"summary": str, "faithful": bool | None, "notes": [str]} when it is
    well formed (faithful true only with no notes), else None."""
    u = data.get("understanding") if isinstance(data, dict) else None
    if not (
        isinstance(u, dict)
        and isinstance(u.get("summary"), str)
        and isinstance(u.get("notes"), list)
        and u.get("faithful") in (True, False, None)
    ):
        return None
    notes = [str(n) for n in u["notes"]]
    return {"summary": u["summary"], "faithful": u["faithful"] and not notes, "notes": notes}


def new_result(idea, backend) -> dict:
    """An empty Result R (INTERFACES.md); `references` and `reflection` are additions."""
    text = idea if isinstance(idea, str) else ""
    return {
        "idea": text[:MAX_IDEA_CHARS],
        "backend": getattr(backend, "name", None),
        "model": getattr(backend, "model", None),
        "proposal": None,
        "spec": None,
        "refusal": None,
        "references": [],
        "attempts": [],
        "final": None,
        "reflection": None,
        "accepted": False,
        "error": None,
        "understanding": {"summary": "", "faithful": None, "notes": []},
    }


def iter_generate(
    idea: str,
    backend: Backend,
    *,
    options: GenerateOptions | None = None,
    cancel: threading.Event | None = None,
    library: Library | None = None,
) -> Iterator[GenerationEvent]:
    """Generate, test and judge one task for `idea`; yields `generation.events`, the last one
    `Finished(result)` with the result R of INTERFACES.md "generation".

    Never raises for bad input, backend failures or cancellation: they end up in R["error"].
    `library` defaults to `Library()` (sim/tasks).
    """
    options = options if options is not None else GenerateOptions()
    result = new_result(idea, backend)
    library = library if library is not None else Library()
    try:
        result["idea"] = clean_idea(idea, required=options.mode != "bottomup" and not options.target)
        goal = _goal(result["idea"], options)
        trial = _Trial(backend, options, cancel, library, result)
        entries = library.list()
        proposal = yield from trial.propose(goal, entries)
        if proposal is not None:
            answer = yield from trial.implement(proposal, entries)
            for attempt in range(1, options.repair_attempts + 2):
                verdict = yield from trial.test(answer, attempt)
                if verdict.get("success"):
                    yield from trial.reflect(proposal, result["attempts"][-1]["code"], verdict, entries, attempt)
                    break
                trial.check_cancel()
                fault = verdict.get("error") or {}
                if fault.get("type") in SANDBOX_FAULTS:
                    raise GenerationError(f"The sandbox could not run the task: {fault.get('message')}")
                if attempt > options.repair_attempts:
                    break
                yield StageStarted(PipelineStage.IMPLEMENT, attempt + 1)
                last = result["attempts"][-1]
                answer = yield from trial.stream(
                    trial.repair_prompt(proposal, last["code"], last["raw"], verdict, attempt)
                )
    except (GenerationError, IdeaError) as exc:
        result["error"] = str(exc)
    except BackendError as exc:
        result["error"] = f"The model backend failed: {exc}"
    except P.PromptError as exc:
        result["error"] = f"Prompt assembly failed: {exc}"
    except Exception as exc:  # a long-running caller (the app) must get a result, not a crash
        traceback.print_exc(file=sys.stderr)
        result["error"] = f"Internal error: {type(exc).__name__}: {exc}"
    yield Finished(result)


def generate(
    idea: str,
    backend: Backend,
    *,
    options: GenerateOptions | None = None,
    cancel: threading.Event | None = None,
    library: Library | None = None,
) -> dict:
    """Run `iter_generate` to the end and return the result R."""
    for event in iter_generate(idea, backend, options=options, cancel=cancel, library=library):
        match event:
            case Finished(result=result):
                return result
    raise RuntimeError("iter_generate ended without a result")  # it always yields one
