"""The operator's learned policy (`GENSIM_POLICY=RUN`) for the Library tab's "Run the learned policy".

The checkpoint loads once, on first use, in the app process: the sandboxed child renders each
observation and this process answers with the action (sim.sandbox.steps, act mode), so neither
torch nor the weights ever enter the sandbox. One actor serves every session; a lock serialises its
calls (a `policy.agent.PolicyActor` is not thread-safe, and one model in memory is enough).
"""

from __future__ import annotations

import threading
from pathlib import Path

from sim.sandbox.steps import StepOptions


class LearnedPolicy:
    """A policy run folder (or .pt file) as sandbox step options. `run` None: not configured."""

    def __init__(self, run: str | Path | None, device: str = "cpu"):
        self.run = Path(run) if run else None
        self.device = device
        self._actor = None
        self._load_lock, self._call_lock = threading.Lock(), threading.Lock()

    @property
    def configured(self) -> bool:
        """Whether the operator configured a policy."""
        return self.run is not None

    @property
    def label(self) -> str:
        """How the page names it, e.g. "learned policy (block-insertion)"."""
        name = self.run.stem if self.run and self.run.suffix == ".pt" else getattr(self.run, "name", "")
        return f"learned policy ({name})"

    def steps(self) -> StepOptions:
        """Step options that let the policy act instead of the oracle. Loads the checkpoint on the
        first call. Raises RuntimeError when no policy is configured or its checkpoint cannot be
        loaded (the message says which)."""
        if self.run is None:
            raise RuntimeError("No learned policy is configured here (set GENSIM_POLICY to a policy run folder).")
        with self._load_lock:
            if self._actor is None:
                try:
                    # torch is an optional dependency (requirements-ml.txt): imported only when an
                    # operator configured a policy, so the app runs without it otherwise.
                    from policy.agent import PolicyActor

                    self._actor = PolicyActor(self.run, self.device)
                except Exception as exc:  # a missing file, a torch version mismatch, a bad config
                    raise RuntimeError(f"The learned policy at {self.run.name} cannot be loaded: {exc}") from exc
        return StepOptions("act", actor=self._act, observation=self._actor.observation)

    def _act(self, obs: dict) -> dict:
        with self._call_lock:
            return self._actor(obs)
