"""Training-example formats of GenSim's fine-tuning data (docs/pipeline.md#finetune-formats), shared by
prepare, train and evaluate.

Three formats, one per consumer:
- OpenAI chat fine-tuning: ``{"messages": [system, user, assistant]}``.
- The instruction/completion pair of the released GenSim Code-Llama (``{"prompt", "completion"}``), so an
  adapter trained here and theirs take the same prompt at inference.
- Plain records (one flat JSON object per task) for ``datasets.load_dataset("json", ...)``.
"""

from __future__ import annotations

import re

from serving.prompt_formats import FINETUNE_SYSTEM, codeonly_instruction

# Completion terminators of the original: chat data ends with STOP, Code-Llama data with ###.
CHAT_END = "STOP"
CODELLAMA_END = "###"

SCHEMAS = {
    "chat": {"messages": list},
    "codellama": {"prompt": str, "completion": str},
    "records": {
        "task": str,
        "description": str,
        "source": str,
        "split": str,
        "prompt": str,
        "completion": str,
        "code": str,
    },
}

_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def instruction(name: str) -> str:
    """The code-only instruction of docs/pipeline.md#finetune-formats for task ``name`` (hyphenated, e.g.
    ``build-car``).

    Raises:
        ValueError: if ``name`` is not a lower-case hyphenated task name.
    """
    if not _NAME.match(name):
        raise ValueError(f"not a task name (lower-case, hyphenated): {name!r}")
    return codeonly_instruction(name)


def chat_example(name: str, code: str) -> dict:
    """One OpenAI chat fine-tuning example: system, the instruction, and the fenced code + STOP."""
    return {
        "messages": [
            {"role": "system", "content": FINETUNE_SYSTEM},
            {"role": "user", "content": instruction(name)},
            {"role": "assistant", "content": f" \n```python\n{code.rstrip()}\n```\n\n{CHAT_END}"},
        ]
    }


def codellama_example(name: str, code: str) -> dict:
    """One Code-Llama instruction/completion pair; training concatenates prompt + completion."""
    return {"prompt": instruction(name), "completion": f"\n```python\n{code.rstrip()}\n```\n\n{CODELLAMA_END}"}


def record(name: str, code: str, description: str, source: str, split: str) -> dict:
    """A flat record with everything a trainer or an analysis needs (the ``records`` format)."""
    pair = codellama_example(name, code)
    return {
        "task": name,
        "description": description,
        "source": source,
        "split": split,
        "prompt": pair["prompt"],
        "completion": pair["completion"],
        "code": code,
    }


def validate(kind: str, example: dict) -> None:
    """Check ``example`` against the schema of format ``kind`` (``chat``, ``codellama``, ``records``).

    Raises:
        ValueError: naming the missing or mistyped key, or a malformed chat message list.
    """
    schema = SCHEMAS[kind]
    if set(example) != set(schema):
        raise ValueError(f"{kind}: keys {sorted(example)} != {sorted(schema)}")
    for key, typ in schema.items():
        if not isinstance(example[key], typ):
            raise ValueError(f"{kind}: {key} is {type(example[key]).__name__}, not {typ.__name__}")
    if kind == "chat":
        roles = [m.get("role") for m in example["messages"]]
        if roles != ["system", "user", "assistant"]:
            raise ValueError(f"chat: roles {roles} != system, user, assistant")
        if not all(isinstance(m.get("content"), str) and set(m) == {"role", "content"} for m in example["messages"]):
            raise ValueError("chat: every message needs exactly a string 'role' and 'content'")
