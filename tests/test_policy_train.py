"""The Transporter policy: correlation, a few steps lower the loss on a fixed batch, train CLI,
checkpoints and --resume, on tiny synthetic data (no simulator)."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from policy import cells, checkpoint, dataset, train  # noqa: E402
from policy.config import PolicyConfig  # noqa: E402
from policy.model import Transporter, correlate, loss, rotate  # noqa: E402

TINY = PolicyConfig(
    scale=4,
    n_rotations=4,
    crop_size=8,
    channels=4,
    feature_dim=4,
    word_dim=8,
    text_dim=8,
    lr=3e-3,
    batch_size=2,
    shift=4,
)


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


def test_fft_correlation_equals_direct_convolution():
    key, query = torch.randn(2, 3, 20, 17), torch.randn(2, 4, 3, 6, 6)
    direct = torch.stack([torch.nn.functional.conv2d(key[i : i + 1], query[i])[0] for i in range(2)])
    assert torch.allclose(correlate(key, query), direct, atol=1e-4)


def test_cells_round_trip():
    cfg = PolicyConfig.small()
    pos = np.array([[0.3, -0.2, 0.0], [0.7, 0.45, 0.0]])
    back = [cells.position_of(c, np.zeros(cfg.shape), cfg) for c in cells.cells_of(pos, cfg)]
    assert np.allclose(np.array(back)[:, :2], pos[:, :2], atol=cfg.cell / 2 + 1e-9)
    assert cells.rotation_bins(np.array([0.0, np.pi / 2, -np.pi / 2]), 4).tolist() == [0, 1, 3]


def test_a_few_steps_lower_the_loss_on_a_fixed_batch():
    torch.manual_seed(0)
    model = Transporter(TINY, vocab_size=6)
    h, w = TINY.shape
    batch = {
        "x": torch.randn(2, 4, h, w),
        "words": torch.tensor([[2, 3, 4], [2, 5, 0]]),
        "pick": torch.tensor([[10, 5], [60, 30]]),
        "place": torch.tensor([[40, 20], [7, 9]]),
        "rotation": torch.tensor([1, 3]),
    }
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    first = loss(model, batch)[0].item()
    for _ in range(15):
        total, _ = loss(model, batch)
        opt.zero_grad()
        total.backward()
        opt.step()
    assert loss(model, batch)[0].item() < 0.8 * first


def _synthetic_dataset(root, n=6, pick_yaw=0.0):
    """Rows whose red square marks the pick and whose goal names the place side; the oracle picks
    at `pick_yaw` and places at yaw pi/2."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        colour = np.zeros((320, 160, 3), np.uint8)
        height = np.zeros((320, 160), np.float32)
        u, v = int(rng.integers(20, 300)), int(rng.integers(20, 140))
        colour[u - 6 : u + 6, v - 6 : v + 6] = (255, 0, 0)
        height[u - 6 : u + 6, v - 6 : v + 6] = 0.04
        rows.append(
            {
                "task": "synthetic",
                "seed": 2 * i,
                "step": 0,
                "lang_goal": "put it left" if i % 2 else "put it right",
                "colour": colour,
                "height": height,
                "pick_position": [0.25 + v * 0.003125, -0.5 + u * 0.003125, 0.04],
                "pick_rotation": [0, 0, np.sin(pick_yaw / 2), np.cos(pick_yaw / 2)],
                "place_position": [0.5, -0.3 if i % 2 else 0.3, 0.02],
                "place_rotation": [0, 0, 0.7071068, 0.7071068],
                "primitive": "PickPlace",
                "reward": 1.0,
                "done": True,
                "episode_steps": 1,
                "episode_reward": 1.0,
                "episode_success": True,
            }
        )
    dataset.write_shard(rows, root / "data" / "train" / "synthetic-000000-000010.parquet")


def test_rotation_bins_turn_the_crop_by_the_world_yaw_they_label():
    # Bin r labels a place yaw of +2 pi r / R (policy.cells), so the transport must turn the crop by
    # that yaw: a point on +x (column side) turned by +90 degrees lands on +y (row side).
    image = torch.zeros(1, 1, 9, 9)
    image[0, 0, 4, 7] = 1.0
    turned = rotate(image, torch.tensor([np.pi / 2]))[0, 0]
    assert divmod(int(turned.argmax()), 9) == (7, 4)
    yaw = 2 * np.pi * 6 / 24  # bin 6 of 24
    assert cells.rotation_bins(np.array([yaw]), 24)[0] == 6
    assert np.allclose(cells.yaw_quaternion(6, 24), (0, 0, np.sin(yaw / 2), np.cos(yaw / 2)))


def test_place_yaw_is_the_turn_from_the_pick(tmp_path):
    # The policy picks at yaw 0, so it must learn the oracle's place yaw minus its pick yaw: an
    # object picked at 30 degrees and placed at 90 has turned by 60.
    pytest.importorskip("datasets")
    _synthetic_dataset(tmp_path, n=2, pick_yaw=np.pi / 6)
    arrays = dataset.load_arrays(tmp_path)
    assert np.allclose(arrays["place_yaw"], np.pi / 3, atol=1e-5)


def test_train_checkpoints_and_resumes(tmp_path):
    pytest.importorskip("datasets")
    data, run = tmp_path / "data", tmp_path / "run"
    _synthetic_dataset(data)
    result = train.train(data, run, 4, config=TINY, log_every=2, save_every=2, quiet=True)
    assert result["step"] == 4 and result["samples"] == 6 and result["steps_per_second"] > 0
    assert json.loads((run / "config.json").read_text())["n_rotations"] == 4
    model, vocab, state = checkpoint.load(run)
    assert state["step"] == 4 and "left" in vocab.words and model.config == TINY

    resumed = train.train(data, run, 6, resume=True, log_every=2, quiet=True)
    assert resumed["step"] == 6
    steps = [json.loads(line)["step"] for line in (run / "log.jsonl").read_text().splitlines()]
    assert steps == [2, 4, 6]
    # Resuming restores the RNG and optimiser: same weights as one uninterrupted run.
    straight = train.train(data, tmp_path / "straight", 6, config=TINY, log_every=2, save_every=2, quiet=True)
    assert straight["step"] == 6
    a = checkpoint.load(run)[0].state_dict()
    b = checkpoint.load(tmp_path / "straight")[0].state_dict()
    assert all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)
