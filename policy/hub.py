"""Upload a dataset folder to the Hugging Face Hub (`huggingface_hub`).

The token comes from the environment (HF_TOKEN, else huggingface_hub's own login file); it is
passed to the client only and never printed or written anywhere by this module.
"""

from __future__ import annotations

import os
from pathlib import Path

from huggingface_hub import HfApi


def push_folder(root: Path, repo_id: str, *, private: bool = False) -> str:
    """Create (if needed) the dataset repo `repo_id` and upload README.md and data/ -> the URL.
    Raises huggingface_hub errors (no token, no permission) unchanged; their messages hold no
    token."""
    api = HfApi(token=os.environ.get("HF_TOKEN") or None)
    api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    api.upload_folder(
        repo_id=repo_id,
        repo_type="dataset",
        folder_path=str(root),
        allow_patterns=["README.md", "data/**"],
        commit_message="Add GenSim Studio demonstrations",
    )
    return f"https://huggingface.co/datasets/{repo_id}"
