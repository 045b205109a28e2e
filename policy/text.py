"""The language goal encoder trained from scratch: a word vocabulary and a GRU.

CLIP weights cannot be downloaded here, so goals are encoded by a small model learnt with the
policy. The vocabulary (built from the training goals, saved in the checkpoint) maps lower-cased
words and punctuation to ids; unknown words map to <unk>. Word order matters ("red block in green
bowl" vs "green block in red bowl"), hence a recurrent encoder rather than a bag of words.
"""

from __future__ import annotations

import re

import torch
from torch import nn

PAD, UNK = "<pad>", "<unk>"
_TOKEN = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")


def tokenize(text: str) -> list[str]:
    """Lower-cased words and single punctuation marks of `text`."""
    return _TOKEN.findall(text.lower())


class Vocabulary:
    """Word <-> id; id 0 is padding, 1 unknown."""

    def __init__(self, words):
        self.words = [PAD, UNK] + sorted(set(words) - {PAD, UNK})
        self.index = {w: i for i, w in enumerate(self.words)}

    @classmethod
    def from_goals(cls, goals) -> Vocabulary:
        """Vocabulary of every token in `goals` (an iterable of strings)."""
        return cls(w for g in goals for w in tokenize(g))

    def encode(self, goals, max_words: int) -> torch.Tensor:
        """(B, max_words) int64 ids, padded with 0, cut after `max_words` tokens."""
        out = torch.zeros(len(goals), max_words, dtype=torch.int64)
        for i, goal in enumerate(goals):
            ids = [self.index.get(w, 1) for w in tokenize(goal)][:max_words]
            out[i, : len(ids)] = torch.tensor(ids, dtype=torch.int64)
        return out


class TextEncoder(nn.Module):
    """(B, T) word ids -> (B, text_dim) goal vectors: embedding, GRU, last state of each goal."""

    def __init__(self, vocab_size: int, word_dim: int, text_dim: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, word_dim, padding_idx=0)
        self.gru = nn.GRU(word_dim, text_dim, batch_first=True)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        lengths = (ids != 0).sum(1).clamp(min=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
        _, hidden = self.gru(packed)
        return hidden[-1]
