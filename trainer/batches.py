"""Examples -> padded tensors, one block per domain, and the seeded minibatch sampler.

Rows are [BOS] prompt answer, right-padded with [PAD]; right padding keeps every real token at the
position it has unpadded (HF's default position ids are 0..T-1 regardless of the mask), so a padded
row computes exactly what the unpadded sequence computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence

import torch

from tasks import Example
from vocab import Vocab


@dataclass
class DomainBlock:
    domain: str
    ids: torch.Tensor       # (N, T) int64, right-padded
    lengths: torch.Tensor   # (N,) int64, real tokens incl. BOS and answer
    examples: List[Example]

    def __len__(self) -> int:
        return self.ids.shape[0]

    def take(self, index: torch.Tensor) -> "DomainBlock":
        """Rows `index`, trimmed to the longest of them."""
        lengths = self.lengths[index]
        t = int(lengths.max())
        return DomainBlock(self.domain, self.ids[index, :t], lengths, [self.examples[i] for i in index.tolist()])

    @property
    def attention_mask(self) -> torch.Tensor:
        return (torch.arange(self.ids.shape[1])[None, :] < self.lengths[:, None]).long()


def make_block(domain: str, examples: Sequence[Example], vocab: Vocab) -> DomainBlock:
    if not examples:
        raise ValueError(f"domain {domain}: no examples")
    rows = [vocab.encode(ex.prompt + (ex.answer,), where=ex.id) for ex in examples]
    t = max(len(r) for r in rows)
    ids = torch.full((len(rows), t), vocab.pad_id, dtype=torch.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r, dtype=torch.int64)
    lengths = torch.tensor([len(r) for r in rows], dtype=torch.int64)
    return DomainBlock(domain, ids, lengths, list(examples))


class EpochSampler:
    """Minibatches of one domain: a fresh seeded permutation each epoch, batches never straddle epochs
    (the last one of an epoch is smaller when the size does not divide). batch_size >= N: full batch."""

    def __init__(self, n: int, batch_size: int, generator: torch.Generator) -> None:
        if n <= 0 or batch_size <= 0:
            raise ValueError(f"sampler needs n > 0 and batch_size > 0, got {n}, {batch_size}")
        self.n, self.batch_size, self.gen = n, min(batch_size, n), generator
        self._order = torch.empty(0, dtype=torch.int64)
        self._pos = 0

    def next(self) -> torch.Tensor:
        if self.batch_size == self.n:
            return torch.arange(self.n)
        if self._pos >= self._order.numel():
            self._order = torch.randperm(self.n, generator=self.gen)
            self._pos = 0
        out = self._order[self._pos:self._pos + self.batch_size]
        self._pos += self.batch_size
        return out
