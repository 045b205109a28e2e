"""The Library tab's "Run the learned policy": a (tiny) policy checkpoint configured with
GENSIM_POLICY acts instead of the oracle in the sandbox, streamed like an oracle run."""

import pytest

torch = pytest.importorskip("torch")

from demo import handlers, render  # noqa: E402
from demo.deployment import Deployment  # noqa: E402
from demo.learned import LearnedPolicy  # noqa: E402
from policy import train  # noqa: E402
from tests.test_policy_train import TINY, _synthetic_dataset  # noqa: E402


@pytest.fixture(scope="module")
def policy_run(tmp_path_factory):
    torch.set_num_threads(1)
    tmp = tmp_path_factory.mktemp("policy")
    _synthetic_dataset(tmp / "data")
    train.train(tmp / "data", tmp / "run", 1, config=TINY, quiet=True)
    return tmp / "run"


def test_the_learned_policy_acts_and_its_score_is_shown(policy_run, monkeypatch):
    policy = LearnedPolicy(policy_run)
    calls = []
    real_act = policy._act
    monkeypatch.setattr(policy, "_act", lambda obs: calls.append(obs["lang_goal"]) or real_act(obs))
    monkeypatch.setattr(handlers, "POLICY", policy)
    updates = list(handlers.run_policy("place-red-in-green", 1, 10001, "320x240"))
    final = dict(zip(handlers.RUN_OUTPUTS, updates[-1]))
    verdict = final["verdict_json"]
    assert len(verdict["episodes"]) == 1 and verdict["episodes"][0]["seed"] == 10001
    # every action came from this process's policy, asked by the sandboxed child
    assert calls and all("green" in goal for goal in calls)
    score = 100 * verdict["episodes"][0]["reward"]
    assert f"acted by the learned policy ({policy_run.name})" in final["verdict"]
    assert f"score {score:.1f} / 100" in final["verdict"]
    assert final["video"] is not None and "gs-stage" in final["stages"]


def test_without_a_policy_the_button_explains(monkeypatch):
    monkeypatch.setattr(handlers, "POLICY", LearnedPolicy(None))
    final = dict(zip(handlers.RUN_OUTPUTS, list(handlers.run_policy("place-red-in-green", 1, 0, "320x240"))[-1]))
    assert "No learned policy is configured" in final["verdict"]


def test_a_checkpoint_that_cannot_load_is_a_message(tmp_path, monkeypatch):
    (tmp_path / "checkpoint.pt").write_bytes(b"not a checkpoint")
    monkeypatch.setattr(handlers, "POLICY", LearnedPolicy(tmp_path))
    final = dict(zip(handlers.RUN_OUTPUTS, list(handlers.run_policy("place-red-in-green", 1, 0, "320x240"))[-1]))
    assert "cannot be loaded" in final["verdict"] and final["verdict_json"] is None


def test_deployment_reads_gensim_policy(policy_run, tmp_path):
    assert Deployment.from_env({"GENSIM_POLICY": str(policy_run)}).policy == str(policy_run)
    assert Deployment.from_env({}).policy is None
    with pytest.raises(ValueError, match="GENSIM_POLICY"):
        Deployment.from_env({"GENSIM_POLICY": str(tmp_path / "missing")})


def test_verdict_panel_names_the_actor_only_when_given():
    verdict = {"success": True, "success_rate": 1.0, "episodes": [{"seed": 0, "reward": 0.5}], "task": "T"}
    assert "score 50.0 / 100" in render.verdict_html(verdict, actor="learned policy (x)")
    assert "score" not in render.verdict_html(verdict)
