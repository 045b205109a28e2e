"""One conversation per generation trial, with a bounded history.

The original truncated the shared history from the oldest end to ~24k characters, silently dropping
the task proposal before the code was written (docs/compat.md#history-truncation). Here the system message and
pinned turns (the proposal exchange) are always kept; only unpinned middle turns are dropped, oldest first,
and the newest user prompt is always sent.
"""

from __future__ import annotations

# ~8000 tokens at ~4 characters per token: the original kept ~6000 tokens (docs/pipeline.md#llm-calls), which
# with our generated API listing and three reference tasks would drop the reviews before the code is written.
DEFAULT_MAX_CHARS = 32_000


class Conversation:
    """Messages of one trial. `max_chars` bounds the characters sent per call (pinned turns and the
    newest prompt are sent even when they alone exceed it)."""

    def __init__(self, system: str, max_chars: int = DEFAULT_MAX_CHARS):
        self.system = {"role": "system", "content": system}
        self.turns: list[tuple[dict, bool]] = []  # (message, pinned)
        self.max_chars = max_chars

    def add(self, role: str, content: str, pinned: bool = False) -> None:
        """Append a message; pinned messages are never dropped by truncation."""
        self.turns.append(({"role": role, "content": content}, pinned))

    def messages(self) -> list[dict]:
        """The messages to send: system, then kept turns in their original order."""
        if not self.turns:
            return [self.system]
        last = len(self.turns) - 1
        keep = {i for i, (_, pinned) in enumerate(self.turns) if pinned} | {last}
        budget = self.max_chars - len(self.system["content"]) - sum(len(self.turns[i][0]["content"]) for i in keep)
        # Newest unpinned turns are most relevant: fill the remaining budget from the end.
        for i in range(last - 1, -1, -1):
            if i in keep:
                continue
            size = len(self.turns[i][0]["content"])
            if size > budget:
                break
            keep.add(i)
            budget -= size
        return [self.system] + [self.turns[i][0] for i in sorted(keep)]

    def transcript(self) -> list[dict]:
        """Every message ever added (for logs), system first."""
        return [self.system] + [m for m, _ in self.turns]
