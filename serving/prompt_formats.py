"""Prompt formats for completion-style models: GenSim's fine-tuning instruction and Llama-2 [INST].

    from serving.prompt_formats import codeonly_instruction, llama2_prompt
    prompt = llama2_prompt([{"role": "user", "content": codeonly_instruction("build-car")}])

Texts as GenSim used them: the system messages of docs/pipeline.md#llm-calls and
docs/pipeline.md#finetune-formats, the code-only instruction and the Llama-2 wrapper (empty
<<SYS>> block) of docs/pipeline.md#finetune-formats.
"""

from __future__ import annotations

from collections.abc import Sequence

# docs/pipeline.md#llm-calls: the system message the GenSim pipeline actually sent (the other two sentences
# were dead code).
GENSIM_SYSTEM = "You are a helpful and expert assistant in robot simulation code writing and task design."
# docs/pipeline.md#finetune-formats: the system message of the OpenAI fine-tuning data.
FINETUNE_SYSTEM = "You are an AI in robot simulation code and task design."

TEMPLATES = ("plain", "llama2")


def codeonly_instruction(task_name: str) -> str:
    """The code-only fine-tuning instruction of docs/pipeline.md#finetune-formats for `task_name` (e.g.
    "build-car").

    The GenSim Code-Llama was trained on exactly this prompt followed by the code completion.
    """
    return (
        f"Write the pybullet simulation task class [{task_name}]. "
        "Provide answers in a python code block starting with ```python"
    )


def llama2_prompt(messages: Sequence[dict]) -> str:
    """Render a chat in the Llama-2 chat format, as GenSim's Code-Llama inference did
    (docs/pipeline.md#finetune-formats).

    `[INST] <<SYS>>\\n{system}\\n<</SYS>>\\n\\n{user} [/INST]`; an empty system block when there is no
    system message; earlier turns as `... [/INST] {assistant} </s><s>[INST] {user} [/INST]`. The leading
    `<s>` is left to the tokenizer, which adds BOS itself. Raises ValueError when the chat does not end
    with a user message.
    """
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    turns = [m for m in messages if m["role"] != "system"]
    if not turns or turns[-1]["role"] != "user":
        raise ValueError("a Llama-2 prompt needs the chat to end with a user message")
    out, first = "", True
    for m in turns:
        if m["role"] == "user":
            text = f"<<SYS>>\n{system}\n<</SYS>>\n\n{m['content']}" if first else m["content"]
            out += ("" if first else "<s>") + f"[INST] {text} [/INST]"
            first = False
        else:
            out += f" {m['content']} </s>"
    return out


def plain_prompt(messages: Sequence[dict]) -> str:
    """Render a chat as plain text for models without a chat template.

    A lone user message (optionally after a system message) becomes its text as is (system text,
    a blank line, then the user text): the GenSim fine-tune saw the bare instruction
    (docs/pipeline.md#finetune-formats). Longer chats become `System: ...`, `User: ...`, `Assistant: ...`
    blocks ending with `Assistant:`.
    """
    turns = [m for m in messages if m["role"] != "system"]
    if len(turns) == 1 and turns[0]["role"] == "user":
        return "\n\n".join(m["content"] for m in messages)
    blocks = [f"{m['role'].capitalize()}: {m['content']}" for m in messages]
    return "\n\n".join(blocks) + "\n\nAssistant:"


def render(messages: Sequence[dict], template: str) -> str:
    """Render `messages` with template "plain" or "llama2"; ValueError lists the valid names."""
    if template == "plain":
        return plain_prompt(messages)
    if template == "llama2":
        return llama2_prompt(messages)
    raise ValueError(f"Unknown prompt template {template!r}. Available: {list(TEMPLATES)}")
