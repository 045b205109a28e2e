"""The offline backend: answers the pipeline's prompts by their `[stage: NAME]` marker, with no model.

    from serving import make_backend
    backend = make_backend("offline")
    code, spec = backend.write_task("put the red block in the green bowl")

It is a rule-based generator (honestly labelled: model = "rule-based"): the idea is parsed by
`serving.offline.parser`, turned into CLIPort task code by `serving.offline.emitter`, and ideas a
suction arm cannot do get a refusal naming the nearest library task (`serving.offline.refusal`).
Answer formats per stage are those of INTERFACES.md "Offline answers".
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections.abc import Iterator, Mapping

from serving.base import Backend, BackendError, GenerationParams, apply_stop, check_messages, resolve_params, stage_of
from serving.offline.emitter import emit, task_name
from serving.offline.parser import NotUnderstood, understand
from serving.offline.refusal import CAPABILITIES, nearest_task, out_of_domain, rank_tasks, refusal_message
from serving.offline.understanding import understanding

CAPABILITY_HINT = f"it can {CAPABILITIES}."

_IDEA_RE = re.compile(r"<idea>\s*(.*?)\s*</idea>", re.S)
_TASK_RE = re.compile(r"<task>\s*(.*?)\s*</task>", re.S)
# Bottom-up mode (no idea given): the generator proposes the first of these whose task is not already
# listed in the prompt; temperature > 0 shuffles the order (as sampling would vary an LLM's proposal).
BOTTOM_UP_IDEAS = (
    "stack a red, a green and a blue block into a tower",
    "build a bridge from two blocks and a plank",
    "sort the red, green and blue blocks into bowls of the same colour",
    "arrange six balls in a circle",
    "line up four cylinders along a line",
    "put three yellow blocks on the pallet",
    "order three blocks by size",
    "build a sandwich",
    "build a wall out of four blocks",
    "build a car",
    "put two red balls in the brown container",
    "stack the blue block on the green block, then put the red ball in the yellow bowl",
    "sweep the pile into the green zone",
    "insert the ell into the fixture",
)


@dataclasses.dataclass
class Refusal:
    """An idea the generator will not build: `message` for the user, `suggestion` a library task or None."""

    message: str
    suggestion: str | None

    def to_json(self) -> dict:
        return {"refusal": self.message, "suggestion": self.suggestion}


_LISTING = re.compile(r"^- ([a-z0-9][a-z0-9-]*): ?(.*)$", re.MULTILINE)


def listing_texts(prompt: str) -> dict[str, str]:
    """{task name: name words + description} from the `- name: description` lines a pipeline prompt
    lists the library with (generation.prompt_assembly.library_listing)."""
    return {m[1]: m[1].replace("-", " ") + " " + m[2] for m in _LISTING.finditer(prompt)}


class OfflineBackend(Backend):
    """Rule-based task generator behind the Backend interface (no key, no weights, no network)."""

    name = "offline"
    model = "rule-based"

    def __init__(self, library: Mapping[str, str] | None = None):
        """`library`: {task name: name words + description} of the task library
        (`generation.library.Library.texts()`); refusals then name the nearest library task.
        Without it they suggest only the nearest supported idea."""
        self.library = dict(library or {})

    # -- direct API ------------------------------------------------------------------------------
    def understand(self, idea: str) -> dict | Refusal:
        """The structured spec of `idea` (parser.understand plus the task name), or a Refusal."""
        reason = out_of_domain(idea) if isinstance(idea, str) else None
        if reason:
            near = nearest_task(idea, self.library)
            return Refusal(refusal_message(idea, reason, near), near)
        try:
            spec = understand(idea)
        except NotUnderstood as exc:
            text = idea if isinstance(idea, str) else ""
            near = nearest_task(text, self.library)
            return Refusal(refusal_message(text, None, near, str(exc)), near)
        spec["task_name"] = task_name(spec)
        return spec

    def write_task(self, idea: str, spare: int = 1) -> tuple[str, dict] | Refusal:
        """(task code, spec) for `idea`; the spec gains "scenery" (objects the emitter added).
        `spare`: actions allowed beyond one per object (repairs raise it)."""
        spec = self.understand(idea)
        if isinstance(spec, Refusal):
            return spec
        try:
            code, scenery = emit(spec, spare)
        except Exception as exc:  # a generator bug must reach the visitor as a message, not a crash
            return Refusal(
                f"The offline generator understood the idea but could not write the task "
                f"({type(exc).__name__}: {exc}). Please rephrase it; {CAPABILITY_HINT}",
                nearest_task(idea, self.library),
            )
        spec["scenery"] = scenery
        spec["understanding"] = understanding(spec)
        return code, spec

    # -- Backend interface -----------------------------------------------------------------------
    def chat(self, messages: list[dict], params: GenerationParams | None = None) -> list[str]:
        """Answer the stage named by the last user message's `[stage: NAME]` line; n answers (identical
        unless a bottom-up proposal is sampled with temperature > 0)."""
        params = resolve_params(params)
        messages = check_messages(messages)
        return [apply_stop(self._answer(messages, params), params.stop) for _ in range(params.n)]

    def stream_chat(self, messages: list[dict], params: GenerationParams | None = None) -> Iterator[str]:
        """The chat answer line by line, so code appears progressively in a UI."""
        (answer,) = self.chat(messages, resolve_params(params, streaming=True))
        yield from answer.splitlines(keepends=True)

    def complete(self, prompt: str, params: GenerationParams | None = None) -> list[str]:
        """A raw prompt is answered like a chat with that prompt as the only user message."""
        if not isinstance(prompt, str):
            raise ValueError(f"prompt must be a string, got {type(prompt).__name__}")
        return self.chat([{"role": "user", "content": prompt}], params)

    def stream_complete(self, prompt: str, params: GenerationParams | None = None) -> Iterator[str]:
        (answer,) = self.complete(prompt, resolve_params(params, streaming=True))
        yield from answer.splitlines(keepends=True)

    # -- stages ----------------------------------------------------------------------------------
    def _answer(self, messages: list[dict], params: GenerationParams) -> str:
        stage = stage_of(messages)
        last = next(m["content"] for m in reversed(messages) if m["role"] == "user")
        if stage is None:
            if "<idea>" in last:
                stage = "proposal"
            elif "<task>" in last:
                stage = "implementation"
            else:
                raise BackendError(
                    "the offline generator only answers GenSim Studio pipeline prompts "
                    "(a first line '[stage: NAME]'); use another backend for free chat"
                )
        if stage == "proposal":
            return self._proposal(last, params.temperature)
        if stage in ("implementation", "repair"):
            return self._implementation(messages, last, stage == "repair")
        if stage == "reference_selection":
            listed = listing_texts(last) or self.library  # the prompt lists the library to choose from
            return json.dumps(rank_tasks(self._idea_from(messages, last) or last, listed))
        if stage == "reflection":
            return json.dumps(
                {
                    "reasons": "Written by the offline rule-based generator from a parsed idea; "
                    "the sandbox verdict decides whether it is kept.",
                    "add_to_the_task_list": True,
                }
            )
        if stage in ("api_review", "error_review"):
            return "Understood."
        raise BackendError(f"the offline generator does not know the stage {stage!r}")

    def _proposal(self, prompt: str, temperature: float) -> str:
        m = _IDEA_RE.search(prompt)
        idea = m.group(1).strip() if m else ""
        if not idea:
            idea = self._bottom_up_idea(prompt, temperature)
        result = self.write_task(idea)
        if isinstance(result, Refusal):
            return "```json\n" + json.dumps(result.to_json(), indent=1) + "\n```"
        code, spec = result
        assets = sorted(set(re.findall(r"'([a-z]+/[\w-]+\.urdf)'", code)))
        proposal = {
            "task-name": spec["task_name"],
            "task-description": spec["understanding"]["summary"],
            "assets-used": assets,
            "idea": idea,
            "understanding": spec["understanding"],
        }
        return "```json\n" + json.dumps(proposal, indent=1) + "\n```"

    def _bottom_up_idea(self, prompt: str, temperature: float) -> str:
        """The first BOTTOM_UP_IDEAS entry whose task name the prompt does not mention (shuffled when
        temperature > 0); the first in order when all are taken."""
        ideas = list(BOTTOM_UP_IDEAS)
        if temperature > 0:
            random.Random().shuffle(ideas)  # fresh OS entropy: never touches the global RNG
        for idea in ideas:
            if task_name(understand(idea)) not in prompt:
                return idea
        return ideas[0]

    def _implementation(self, messages: list[dict], prompt: str, repair: bool) -> str:
        """Code + spec. The code is deterministic, so a repair cannot fix a typo; what it can do is give
        the oracle room to retry: each earlier code answer in the chat adds two spare actions."""
        idea = self._idea_from(messages, prompt)
        if not idea:
            raise BackendError(
                "the offline generator found no idea to implement: the prompt needs "
                "<task>{...}</task> with an 'idea' or 'task-description'"
            )
        earlier = sum(1 for m in messages if m["role"] == "assistant" and "```python" in m["content"])
        result = self.write_task(idea, spare=1 + 2 * max(earlier, 1) if repair else 1)
        if isinstance(result, Refusal):
            raise BackendError(result.message)
        code, spec = result
        return f"```python\n{code}```\n\n```json\n{json.dumps(spec, indent=1)}\n```"

    @staticmethod
    def _idea_from(messages: list[dict], prompt: str) -> str:
        """The idea: the proposal's "idea" inside <task>, else an <idea> anywhere in the chat, else the
        task description."""
        task = {}
        m = _TASK_RE.search(prompt)
        if m:
            try:
                task = json.loads(m.group(1))
            except ValueError:
                task = {}
        if isinstance(task, dict) and task.get("idea"):
            return str(task["idea"])
        for msg in reversed(messages):
            im = _IDEA_RE.search(msg["content"])
            if im and im.group(1).strip():
                return im.group(1).strip()
        if isinstance(task, dict):
            return str(task.get("task-description") or "")
        return ""
