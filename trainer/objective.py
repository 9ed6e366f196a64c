"""Training objective and accuracy, per domain.

Loss = mean over domains of (mean next-token NLL over all real predicted tokens of that domain's
batch) + router_aux_loss_coef * load-balancing loss. Every token is predicted, as in pretraining;
averaging per domain first keeps the domain with the longest sequences (code) from dominating.
Accuracy = argmax of the prediction made at "=" equals the answer word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List

import torch
import torch.nn.functional as F

from batches import DomainBlock
from model import OlmoeForCausalLM, load_balancing_loss


@dataclass
class BlockStats:
    loss: torch.Tensor  # mean NLL over real predicted tokens, differentiable
    aux: torch.Tensor   # load-balancing loss, differentiable
    n_correct: int
    n_examples: int


def answer_positions(block: DomainBlock) -> torch.Tensor:
    """Index of the "=" token of each row: the position whose prediction is the answer."""
    return block.lengths - 2


def block_forward(model: OlmoeForCausalLM, block: DomainBlock, answer_only: bool = False) -> BlockStats:
    mask = block.attention_mask
    out = model(block.ids, attention_mask=mask)
    logits = out.logits[:, :-1]                        # position t predicts token t+1
    targets = block.ids[:, 1:].masked_fill(mask[:, 1:] == 0, -100)
    if answer_only:
        keep = torch.zeros_like(targets, dtype=torch.bool)
        keep[torch.arange(targets.shape[0]), answer_positions(block)] = True
        targets = targets.masked_fill(~keep, -100)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)
    rows = torch.arange(block.ids.shape[0])
    pos = answer_positions(block)
    correct = int((logits[rows, pos].argmax(dim=-1) == block.ids[rows, pos + 1]).sum())
    # BOS and padding are excluded from the balancing statistics, as from grokwatch's routing summaries.
    routed = mask.bool().clone()
    routed[:, 0] = False
    aux = load_balancing_loss(out.router_probs, model.cfg.num_experts_per_tok, routed)
    return BlockStats(loss, aux, correct, block.ids.shape[0])


@dataclass
class Evaluation:
    acc: Dict[str, float]            # per domain
    loss: Dict[str, float]           # per domain, mean NLL over all real predicted tokens
    answer_loss: Dict[str, float]    # per domain, mean NLL of the answer after "="
    acc_by_group: Dict[str, float]   # "<domain>/<group>"


@torch.no_grad()
def evaluate(model: OlmoeForCausalLM, blocks: List[DomainBlock], chunk: int = 2048) -> Evaluation:
    """Answer accuracy and token NLL of whole splits (no gradient; chunked to bound memory)."""
    was_training = model.training
    model.eval()
    ev = Evaluation({}, {}, {}, {})
    group_hits: Dict[str, List[int]] = {}
    for block in blocks:
        correct, nll_sum, n_tok, answer_nll = 0, 0.0, 0, 0.0
        for s in range(0, len(block), chunk):
            part = block.take(torch.arange(s, min(s + chunk, len(block))))
            mask = part.attention_mask
            logits = model(part.ids, attention_mask=mask).logits[:, :-1]
            targets = part.ids[:, 1:].masked_fill(mask[:, 1:] == 0, -100)
            nll_sum += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                             ignore_index=-100, reduction="sum"))
            n_tok += int((targets != -100).sum())
            rows = torch.arange(part.ids.shape[0])
            pos = answer_positions(part)
            hits = (logits[rows, pos].argmax(dim=-1) == part.ids[rows, pos + 1]).tolist()
            answer_nll += float(F.cross_entropy(logits[rows, pos], part.ids[rows, pos + 1], reduction="sum"))
            correct += sum(hits)
            for ex, hit in zip(part.examples, hits):
                group_hits.setdefault(f"{ex.domain}/{ex.group}", []).append(int(hit))
        ev.acc[block.domain] = correct / len(block)
        ev.loss[block.domain] = nll_sum / n_tok
        ev.answer_loss[block.domain] = answer_nll / len(block)
    ev.acc_by_group = {g: sum(h) / len(h) for g, h in sorted(group_hits.items())}
    model.train(was_training)
    return ev
