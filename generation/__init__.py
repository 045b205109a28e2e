"""The GenSim task-creation pipeline (docs/pipeline.md): an LLM proposes, writes and repairs tabletop tasks.

- `pipeline`: `iter_generate` / `generate` — propose -> reviews -> reference code -> implement ->
  sandbox test (-> repair) -> reflection; `GenerateOptions`.
- `prompting` + `prompts/*.txt`: templates, stage markers, API listing and asset catalogue.
- `parsing`: code / dict / list / boolean parsers (data only, never exec).
- `conversation`: bounded chat history that keeps the system message and the proposal.
- `library`: the task library `sim/tasks` + `index.json` (CLI `python -m generation.library`).
- `stats`: pass rates and diversity; CLIs `python -m generation.generate` and `python -m generation.trials`.
"""
