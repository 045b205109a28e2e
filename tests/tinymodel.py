"""A tiny random Llama causal LM + locally trained BPE tokenizer for tests (no downloads).

    from tests.tinymodel import build_tiny_model
    path = build_tiny_model(tmp_path / "tiny")      # AutoModelForCausalLM / AutoTokenizer load it

Shared by the serving and fine-tuning tests; keep `build_tiny_model(dir) -> Path` stable.
The weights are random (seeded), so answers are gibberish but deterministic under greedy decoding.
"""

from __future__ import annotations

from pathlib import Path

# Byte-level BPE: every string round-trips; the corpus puts Python/task-API words in the vocabulary
# so code tokenises into few tokens.
CORPUS = [
    '''import numpy as np
import os
import pybullet as p
import random
from cliport.tasks import primitives
from cliport.tasks.grippers import Spatula
from cliport.tasks.task import Task
from cliport.utils import utils


class PlaceRedInGreen(Task):
    """Pick up the red blocks and place them into the green bowls amidst other objects."""

    def __init__(self):
        super().__init__()
        self.max_steps = 10
        self.lang_template = "put the red blocks in a green bowl"
        self.task_completed_desc = "done placing blocks in bowls."
        self.additional_reset()

    def reset(self, env):
        super().reset(env)
        n_bowls = np.random.randint(1, 4)
        n_blocks = np.random.randint(1, n_bowls + 1)
        bowl_size = (0.12, 0.12, 0)
        bowl_urdf = 'bowl/bowl.urdf'
        bowl_poses = []
        for _ in range(n_bowls):
            bowl_pose = self.get_random_pose(env, obj_size=bowl_size)
            env.add_object(bowl_urdf, bowl_pose, category='fixed')
            bowl_poses.append(bowl_pose)
        blocks = []
        block_size = (0.04, 0.04, 0.04)
        block_urdf = 'stacking/block.urdf'
        for _ in range(n_blocks):
            block_pose = self.get_random_pose(env, obj_size=block_size)
            block_id = env.add_object(block_urdf, block_pose, color=utils.COLORS['red'])
            blocks.append(block_id)
        self.add_goal(objs=blocks, matches=np.ones((len(blocks), len(bowl_poses))),
                      targ_poses=bowl_poses, replace=False, rotations=True, metric='pose',
                      params=None, step_max_reward=1, language_goal=self.lang_template)
''',
    "Write the pybullet simulation task class [place-red-in-green]. Provide answers in a python "
    "code block starting with ```python\n",
    "[INST] <<SYS>>\n\n<</SYS>>\n\n [/INST] You are a helpful and expert assistant in robot "
    "simulation code writing and task design.",
    '[stage: proposal] <idea> stack the blue blocks on the red box </idea> <task> {"task-name": '
    '"build-tower", "task-description": "stack three blocks", "assets-used": '
    '["block/block.urdf", "box/box-template.urdf"]} </task>',
    "The quick brown fox jumps over the lazy dog. Hello, world! 0123456789 + - * / = < > ( ) [ ] { }",
]

CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
SPECIAL_TOKENS = ["<unk>", "<s>", "</s>", "<pad>"]


def build_tokenizer(vocab_size: int = 600):
    """A PreTrainedTokenizerFast with byte-level BPE trained on CORPUS and CHAT_TEMPLATE set."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build_tiny_model(dir) -> Path:
    """Write a 2-layer, hidden-64 random LlamaForCausalLM and its tokenizer to `dir`; return the path.

    Reuses the folder when it already holds a built model. Seeded (torch seed 0), so greedy answers
    are the same on every build. The end-of-sequence row of the output layer is zeroed (logit 0
    while other logits are random), so greedy decoding never ends early and tests see full answers.
    """
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    path = Path(dir)
    if (path / "config.json").exists() and (path / "tokenizer.json").exists():
        return path
    path.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer()
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    with torch.no_grad():
        model.lm_head.weight[tokenizer.eos_token_id].zero_()
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
