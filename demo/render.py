"""HTML for the app's panels: the stage strip, the verdict, an error with its line, the attempts.

Pure functions from pipeline/sandbox events (generation.events, sim.sandbox.events) and verdict
dicts (INTERFACES.md) to HTML strings; everything from the task or the model is escaped.
"""

from __future__ import annotations

import html

from generation.events import FROM_SANDBOX, PipelineStage
from sim.sandbox.events import StageEvent

# The strips: a generation shows every pipeline stage up to the verdict (reflection is not a pill),
# a library run the sandbox's stages under their pipeline names.
GENERATE_STAGES = [s for s in PipelineStage if s != PipelineStage.REFLECT]
RUN_STAGES = list(FROM_SANDBOX.values())
_ICONS = {"todo": "○", "run": "◐", "pass": "●", "fail": "✕"}


class StageTracker:
    """Status ('todo' | 'run' | 'pass' | 'fail') of each stage of the strip, fed with events."""

    def __init__(self, stages: list[str]):
        self.stages = list(stages)
        self.status = {s: "todo" for s in self.stages}
        self.attempt = 0
        self.note = ""

    def start(self, stage: str, attempt: int | None = None) -> None:
        """Mark `stage` running, earlier stages passed (unless failed) and later ones to do.

        `attempt` is the pipeline's attempt number (0 propose, 1 first implementation, 2+ repairs).
        """
        if attempt is not None:
            self.attempt = max(self.attempt, attempt)
        if stage not in self.status:
            return
        idx = self.stages.index(stage)
        for s in self.stages[:idx]:
            if self.status[s] != "fail":
                self.status[s] = "pass"
        self.status[stage] = "run"
        for s in self.stages[idx + 1 :]:
            self.status[s] = "todo"

    def sandbox(self, event: StageEvent) -> None:
        """Apply a sandbox stage event (`syntax, load, reset, runtime, success`)."""
        stage = FROM_SANDBOX[event.stage]
        if event.status == "start":
            self.start(stage)
        elif event.status in ("pass", "fail"):
            self.status[stage] = event.status

    def finish(self, verdict: dict | None) -> None:
        """Set every stage from a final verdict's `passed` map (None: leave failures as they are)."""
        passed = (verdict or {}).get("passed") or {}
        for sandbox_stage, stage in FROM_SANDBOX.items():
            if stage in self.status and sandbox_stage in passed:
                self.status[stage] = "pass" if passed[sandbox_stage] else "fail"
        for stage in self.stages:
            if self.status[stage] == "run":
                self.status[stage] = "fail" if not verdict else "pass"

    def html(self) -> str:
        """The strip: one pill per stage and a progress bar (share of stages passed)."""
        done = sum(self.status[s] == "pass" for s in self.stages)
        running = [s for s in self.stages if self.status[s] == "run"]
        pills = "".join(
            f'<span class="gs-stage gs-{self.status[s]}">{_ICONS[self.status[s]]} {s}</span>' for s in self.stages
        )
        caption = f"repair {self.attempt - 1} · " if self.attempt > 1 else ""
        caption += f"{running[0]}…" if running else ("done" if done == len(self.stages) else "")
        if self.note:
            caption += f" · {html.escape(self.note)}"
        pct = round(100 * done / len(self.stages))
        return (
            f'<div class="gs-strip">{pills}</div>'
            f'<div class="gs-bar"><div style="width:{pct}%"></div></div>'
            f'<div class="gs-caption">{caption}</div>'
        )


def message_html(text: str, kind: str = "info") -> str:
    """A short boxed message; kind is 'info', 'ok' or 'error'."""
    return f'<div class="gs-msg gs-msg-{kind}">{html.escape(text)}</div>'


def code_excerpt_html(code: str, line: int | None, context: int = 3) -> str:
    """Lines around `line` (1-based) of `code` with that line highlighted; '' without a line."""
    if not code or not line:
        return ""
    lines = code.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    rows = []
    for n in range(max(1, line - context), min(len(lines), line + context) + 1):
        cls = ' class="gs-hl"' if n == line else ""
        rows.append(f'<div{cls}><span class="gs-ln">{n:>4}</span> {html.escape(lines[n - 1])}</div>')
    return f'<pre class="gs-code">{"".join(rows)}</pre>'


def error_html(error: dict | None, code: str = "") -> str:
    """The error of a verdict (`stage`, `type`, `message`, `line`) with its line highlighted."""
    if not error:
        return ""
    where = f" at line {error['line']}" if error.get("line") else ""
    head = f"{error.get('stage') or error.get('phase') or 'run'}: {error.get('type') or 'Error'}{where}"
    return (
        f'<div class="gs-error"><b>{html.escape(head)}</b>'
        f"<div>{html.escape(str(error.get('message') or ''))}</div>"
        f"{code_excerpt_html(code, error.get('line'))}</div>"
    )


def understanding_html(understanding: dict | None) -> str:
    """What the generator understood, shown above the verdict: the summary, and when it approximated
    the idea an amber "approximated" badge with each note, so a SUCCESS reads as success at *this*
    task. "" when there is no summary."""
    u = understanding if isinstance(understanding, dict) else {}
    summary = str(u.get("summary") or "")
    if not summary:
        return ""
    notes = [str(n) for n in u.get("notes") or []]
    badge = ""
    if notes:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
        badge = (
            '<span class="gs-approx" data-testid="approximated-badge" style="background:#f5a623;'
            'color:#3d2600;border-radius:4px;padding:1px 6px;font-size:0.8rem;font-weight:600">'
            f'approximated</span><ul class="gs-approx-notes" style="color:#8a5a00;margin:4px 0 0">{items}</ul>'
        )
    return (
        f'<div class="gs-understanding" data-testid="understanding" style="margin-bottom:6px">'
        f"<b>Understood:</b> {html.escape(summary)} {badge}</div>"
    )


def verdict_html(verdict: dict | None, code: str = "", headline: str | None = None, actor: str | None = None) -> str:
    """The verdict panel: SUCCESS/FAILED, success rate, one row per episode, warnings, the error.

    actor: who acted when it was not the oracle (e.g. "learned policy (run-7)"); the panel then names
    it and adds CLIPort's score, the mean episode reward x 100 (0-100)."""
    if not verdict:
        return message_html(headline or "No verdict.", "error")
    ok = bool(verdict.get("success"))
    episodes = verdict.get("episodes") or []
    rate = verdict.get("success_rate") or 0.0
    title = headline or ("SUCCESS" if ok else f"FAILED at {verdict.get('stage_reached') or '?'}")
    rows = "".join(
        "<tr><td>{i}</td><td>{seed}</td><td>{reward:.2f}</td><td>{succ}</td><td>{steps}</td>"
        "<td>{secs:.1f}</td></tr>".format(
            i=i + 1,
            seed=ep.get("seed", ""),
            reward=float(ep.get("reward") or 0.0),
            succ="✔" if ep.get("success") else "✘",
            steps=ep.get("steps", ""),
            secs=float(ep.get("seconds") or 0.0),
        )
        for i, ep in enumerate(episodes)
    )
    table = (
        '<table class="gs-eps"><tr><th>episode</th><th>seed</th><th>reward</th><th>success</th>'
        f"<th>steps</th><th>seconds</th></tr>{rows}</table>"
        if rows
        else ""
    )
    warnings = list(verdict.get("warnings") or [])
    for ep in episodes:
        warnings += [w for w in ep.get("warnings") or [] if w not in warnings]
    warn = "".join(f"<li>{html.escape(str(w))}</li>" for w in warnings[:20])
    task = html.escape(str(verdict.get("task") or ""))
    who = ""
    if actor:
        score = 100 * sum(float(ep.get("reward") or 0.0) for ep in episodes) / max(1, len(episodes))
        who = f" · acted by the {html.escape(actor)} · score {score:.1f} / 100"
    return (
        f'<div class="gs-verdict gs-{"pass" if ok else "fail"}">'
        f'<div class="gs-title" data-testid="verdict-title">{html.escape(title)}</div>'
        f"<div>{task} · success rate {rate:.0%} over {len(episodes)} episode(s){who}</div>"
        f"{table}{f'<ul class=gs-warn>{warn}</ul>' if warn else ''}"
        f"{error_html(verdict.get('error'), code)}</div>"
    )


def attempts_html(attempts: list[dict]) -> str:
    """One collapsible entry per attempt (first try, then repairs) with its verdict and code."""
    parts = []
    for k, attempt in enumerate(attempts):
        verdict = attempt.get("verdict") or {}
        ok = verdict.get("success")
        label = "first try" if k == 0 else f"repair {k}"
        state = "passed" if ok else f"failed at {verdict.get('stage_reached') or '?'}"
        code = attempt.get("code") or ""
        listing = f'<pre class="gs-code">{html.escape(code)}</pre>' if code else ""
        parts.append(
            f"<details><summary>{label}: {state}</summary>{error_html(verdict.get('error'), code)}{listing}</details>"
        )
    return "".join(parts)
