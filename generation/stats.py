"""Statistics of a generation run: pass rates per stage and diversity of the created tasks.

Rates follow GenSim (docs/pipeline.md#acceptance): each = number of trials passing / number of trials, where a
trial that failed before the sandbox (no proposal, backend error, refusal) fails every stage.
  syntax  = the code parsed and its Task class loaded (GenSim's exec + instantiate);
  runtime = every episode ran without an exception;
  success = the oracle succeeded in enough episodes (the sandbox's acceptance rule);
  accepted = success and the reflection accepted it.
Diversity = mean over unordered pairs of created tasks of 1 - Jaccard(A, B) (0 with fewer than two
tasks). GenSim compares raw "assets-used" strings; here the asset paths are normalised first
(`bowl.urdf` == `bowl/bowl.urdf`, docs/compat.md#diversity-raw-strings). Code diversity does the same on the
sets of code tokens (identifiers, numbers, strings, operators; comments ignored).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import tokenize
from pathlib import Path, PurePosixPath

RATES = ("syntax", "runtime", "success", "accepted")


def normalise_asset(path: str) -> str:
    """Canonical asset name: lower case, '-template' dropped, `x/x.urdf` -> `x`, `x.urdf` -> `x`,
    `block/small.urdf` -> `block/small`."""
    p = PurePosixPath(str(path).strip().lower().replace("\\", "/"))
    stem = p.stem.removesuffix("-template")
    parent = p.parent.name
    return stem if not parent or parent == stem else f"{parent}/{stem}"


def jaccard_distance(a: set, b: set) -> float:
    """1 - |a & b| / |a | b|; two empty sets are identical (0.0)."""
    union = a | b
    return 0.0 if not union else 1.0 - len(a & b) / len(union)


def mean_pairwise_distance(sets: list[set]) -> float:
    """Mean of `jaccard_distance` over unordered pairs; 0.0 with fewer than two sets."""
    pairs = list(itertools.combinations(sets, 2))
    return sum(jaccard_distance(a, b) for a, b in pairs) / len(pairs) if pairs else 0.0


_TOKEN_RE = re.compile(r"\w+|[^\w\s]")


def code_tokens(code: str) -> set[str]:
    """Set of tokens of python `code` without comments; a regex split when it does not tokenize."""
    try:
        toks = tokenize.generate_tokens(io.StringIO(code).readline)
        return {
            t.string
            for t in toks
            if t.type
            not in (
                tokenize.COMMENT,
                tokenize.NL,
                tokenize.NEWLINE,
                tokenize.INDENT,
                tokenize.DEDENT,
                tokenize.ENDMARKER,
            )
        }
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return set(_TOKEN_RE.findall(code))


def trial_flags(result: dict) -> dict:
    """Pass flags of one pipeline result R: {"syntax", "runtime", "success", "accepted"} -> bool."""
    passed = (result.get("final") or {}).get("passed") or {}
    return {
        "syntax": bool(passed.get("syntax") and passed.get("load")),
        "runtime": bool(passed.get("runtime")),
        "success": bool(passed.get("success")),
        "accepted": bool(result.get("accepted")),
    }


def run_stats(results: list[dict]) -> dict:
    """Statistics of a run from its results R.

    Returns {"trials": int, "syntax"/"runtime"/"success"/"accepted": rate in [0, 1],
    "asset_diversity": float, "code_diversity": float, "tasks": int (results with a proposal)}.
    """
    n = len(results)
    flags = [trial_flags(r) for r in results]
    rates = {k: (sum(f[k] for f in flags) / n if n else 0.0) for k in RATES}
    proposals = [r["proposal"] for r in results if r.get("proposal")]
    assets = [{normalise_asset(a) for a in p.get("assets-used", [])} for p in proposals]
    codes = [r["attempts"][-1]["code"] for r in results if r.get("attempts") and r["attempts"][-1]["code"]]
    return {
        "trials": n,
        **rates,
        "tasks": len(proposals),
        "asset_diversity": mean_pairwise_distance(assets),
        "code_diversity": mean_pairwise_distance([code_tokens(c) for c in codes]),
    }


def format_table(stats: dict, label: str = "") -> str:
    """The pass-rate table printed by `generation.trials`."""
    rows = (
        [("trials", f"{stats['trials']}")]
        + [(k, f"{stats[k]:.2f}") for k in RATES]
        + [("asset diversity", f"{stats['asset_diversity']:.3f}"), ("code diversity", f"{stats['code_diversity']:.3f}")]
    )
    head = f"{label}\n" if label else ""
    return head + "\n".join(f"{k:16s} {v:>8s}" for k, v in rows)


def save_stats(stats: dict, folder: Path | str, label: str, config: dict | None = None) -> tuple[Path, Path]:
    """Write `eval_results.csv` (rows: label, metric, value — GenSim's layout) and `stats.json`
    (stats plus the run's config) into `folder`; returns both paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = folder / "eval_results.csv", folder / "stats.json"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["run", "metric", "value"])
        for key in ("trials", *RATES, "asset_diversity", "code_diversity"):
            writer.writerow([label, key, stats[key]])
    json_path.write_text(
        json.dumps({"label": label, "stats": stats, "config": config or {}}, indent=1, default=str) + "\n",
        encoding="utf-8",
    )
    return csv_path, json_path
