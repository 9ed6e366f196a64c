"""Which modules of a PyTorch MoE are its routers, and how each turns logits into scores and picks.

Found automatically: a module named `<block>.gate` whose parent block has `experts` (transformers'
OLMoE, Mixtral, Qwen2-MoE, Qwen3-MoE, DeepSeek-V3 and Dots1 MoE blocks, and grokwatch's bundled
trainer). A gate carrying `e_score_correction_bias` is the DeepSeek-V3 family's router: sigmoid
scores, a bias that moves selection only, group-limited top-k. Any other module can be named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

import torch
from torch import nn


@dataclass
class RouterSpec:
    """One router: the module whose forward output holds the logits [tokens, experts]."""

    name: str
    module: nn.Module
    top_k: int
    scoring: str = "softmax"  # or "sigmoid" (DeepSeek-V3 family)
    n_group: int = 1
    topk_group: int = 1
    correction_bias: Optional[torch.Tensor] = None


def _config_value(model: nn.Module, *names: str) -> Optional[int]:
    for holder in (getattr(model, "config", None), getattr(model, "cfg", None)):
        for n in names:
            v = getattr(holder, n, None) if holder is not None else None
            if v is not None:
                return int(v)
    return None


def find_routers(model: nn.Module, names: Optional[Sequence[str]] = None, top_k: Optional[int] = None) -> List[RouterSpec]:
    """The model's routers in layer order; `names` picks modules explicitly (then they need not be called gate)."""
    k = top_k or _config_value(model, "num_experts_per_tok", "moe_top_k", "top_k")
    if k is None:
        raise ValueError("top_k is unknown: the model config has no num_experts_per_tok; pass top_k=")
    modules = dict(model.named_modules())
    if names is None:
        chosen = [n for n in modules if n.endswith(".gate") and hasattr(modules.get(n.rsplit(".", 1)[0]), "experts")]
    else:
        missing = [n for n in names if n not in modules]
        if missing:
            raise ValueError(f"no module named {missing[0]!r} in the model")
        chosen = list(names)
    if not chosen:
        raise ValueError("no router found (a module <block>.gate beside <block>.experts); name them with routers=")
    specs = []
    for n in chosen:
        m = modules[n]
        bias = getattr(m, "e_score_correction_bias", None)
        if bias is None:
            specs.append(RouterSpec(n, m, k))
        else:
            specs.append(RouterSpec(n, m, k, "sigmoid", _config_value(model, "n_group") or 1, _config_value(model, "topk_group") or 1, bias))
    return specs


def scores_and_choice(logits: torch.Tensor, spec: RouterSpec) -> "tuple[torch.Tensor, torch.Tensor]":
    """(scores normalized to sum 1 per token [N, E] float32, chosen experts [N, k]) as the router computes them."""
    z = logits.float()
    if spec.scoring == "softmax":
        p = torch.softmax(z, dim=-1)
        return p, torch.topk(p, spec.top_k, dim=-1).indices
    s = torch.sigmoid(z)
    choice = s + spec.correction_bias.float()
    n, e = choice.shape
    g = spec.n_group
    group_score = choice.view(n, g, e // g).topk(2, dim=-1).values.sum(dim=-1)
    kept = torch.topk(group_score, spec.topk_group, dim=-1).indices
    mask = torch.zeros_like(group_score).scatter_(1, kept, 1.0).unsqueeze(-1).expand(n, g, e // g).reshape(n, e)
    chosen = torch.topk(choice.masked_fill(mask == 0, 0.0), spec.top_k, dim=-1).indices
    return s / s.sum(dim=-1, keepdim=True), chosen
