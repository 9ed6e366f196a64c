"""One probe sample's routing summary, computed from a batch's router logits, final-norm hidden states
and output logits exactly as grokwatch's capture reduces them (libs/model/src/runtime/capture.ts):
means over the routed tokens (a leading BOS left out), float32, selection counts of the experts the
router picked, NLL of every predicted token, Min-K%++ on the lowest 20% of z-scores."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import torch


@dataclass
class SampleSummary:
    index: int
    token_count: int
    routing: List[List[float]]            # layers x experts: mean router scores over the routed tokens
    selection_counts: List[List[int]]     # layers x experts: top-k picks over the routed tokens
    embedding: Optional[List[float]]      # mean final-norm hidden state over the routed tokens
    nll: Optional[float]                  # mean -log p of the predicted tokens (None for one token)
    min_k_plus_plus: Optional[float]
    target_nll: Optional[float] = None
    target_routing: Optional[List[List[float]]] = None
    position_routing: Optional[List[List[float]]] = None

    def to_ingest(self) -> dict:
        """The sample as grokwatch's ingestRouting takes it (IngestSampleInput)."""
        out = {"index": self.index, "weights": self.routing, "selectionCounts": self.selection_counts, "tokenCount": self.token_count}
        for key, value in (("embedding", self.embedding), ("nll", self.nll), ("minKPlusPlus", self.min_k_plus_plus), ("targetNll", self.target_nll),
                           ("targetWeights", self.target_routing), ("positionWeights", self.position_routing)):
            if value is not None:
                out[key] = value
        return out


def min_k_plus_plus(token_logprob: torch.Tensor, logprobs: torch.Tensor, fraction: float = 0.2) -> Optional[float]:
    """Mean of the lowest `fraction` (at least one) of (log p(x_t) - E[log p]) / sd[log p] over predicted tokens.

    As grokwatch's minKPlusPlus (libs/pathway contamination.ts): positions whose next-token
    distribution has zero variance carry no information and are skipped; None when none is left.
    """
    p = logprobs.exp()
    mean = (p * logprobs).sum(-1)
    var = (p * (logprobs - mean[:, None]) ** 2).sum(-1)
    usable = var > 0
    n = int(usable.sum())
    if n == 0:
        return None
    z = ((token_logprob - mean)[usable].double() / var[usable].double().sqrt()).sort().values
    count = max(1, math.floor(n * fraction))
    return float(z[:count].mean())


def summarize_sample(
    index: int,
    ids: Sequence[int],
    target: Optional[Tuple[int, int]],
    scores: torch.Tensor,
    chosen: torch.Tensor,
    hidden: Optional[torch.Tensor],
    logits: torch.Tensor,
    bos_token_id: Optional[int],
) -> SampleSummary:
    """One sample from its rows: scores [L, T, E] and chosen [L, T, k] over its T real tokens, hidden [T, d], logits [T, V]."""
    n = len(ids)
    start = 1 if bos_token_id is not None and ids[0] == bos_token_id else 0
    if n - start < 1:
        raise ValueError(f"probe sample {index} has no tokens besides BOS")
    L, _, E = scores.shape
    routing = scores[:, start:n].mean(dim=1)
    counts = torch.stack([torch.bincount(chosen[l, start:n].reshape(-1), minlength=E) for l in range(L)])
    embedding = None if hidden is None else hidden[start:n].float().mean(dim=0).tolist()
    logprobs = torch.log_softmax(logits[: n - 1].float(), dim=-1)
    token_logprob = logprobs.gather(1, torch.tensor(ids[1:n], device=logprobs.device).view(-1, 1)).view(-1)
    nll = -token_logprob
    summary = SampleSummary(
        index=index,
        token_count=n,
        routing=routing.tolist(),
        selection_counts=counts.tolist(),
        embedding=embedding,
        nll=float(nll.mean()) if n > 1 else None,
        min_k_plus_plus=min_k_plus_plus(token_logprob, logprobs),
    )
    if target is not None:
        first, last = target[0], min(target[1], n)
        if last > first:
            summary.target_routing = scores[:, first:last].mean(dim=1).tolist()
            summary.target_nll = float(nll[first - 1:last - 1].mean())
        if 1 <= first <= n:
            summary.position_routing = scores[:, first - 1].tolist()
    return summary


def target_token_range(tokenize, text: str, start: int, end: int, ids: Sequence[int]) -> Optional[Tuple[int, int]]:
    """The target's tokens as capture finds them: past the common prefix of the ids with those of text[:start],
    up to the common prefix with those of text[:end] (the first token is never a target)."""
    def common(a: Sequence[int], b: Sequence[int]) -> int:
        i = 0
        while i < min(len(a), len(b)) and a[i] == b[i]:
            i += 1
        return i
    first = max(1, common(ids, list(tokenize(text[:start]))))
    last = common(ids, list(tokenize(text[:end])))
    return (first, last) if last > first else None
