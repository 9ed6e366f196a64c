"""The trainer's own outputs on a few fixed inputs, saved beside each checkpoint (reference.safetensors)
so that grokwatch's TypeScript forward can be checked for parity without Python.

Cases: single sequences of different lengths and domains, and one right-padded batch with an
attention mask. Per case `c<k>`:
  c<k>.input_ids       I64 (B, T)
  c<k>.attention_mask  I64 (B, T)
  c<k>.logits          F32 (B, T, V)   all positions, full vocabulary
  c<k>.router_probs    F32 (L, B, T, E) router softmax over all experts, before top-k
  c<k>.nll             F32 (B, T-1)    -log p(token t+1 | tokens <= t); 0 where token t+1 is padding
The metadata holds the case texts (JSON) so a reader can re-tokenize them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Dict, List, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from model import OlmoeForCausalLM
from safetensors_io import save_file
from tasks import Example
from vocab import Vocab


@dataclass(frozen=True)
class ReferenceCase:
    name: str
    examples: Sequence[Example]  # one example, or several for a padded batch


def pick_cases(train: Dict[str, List[Example]], test: Dict[str, List[Example]]) -> List[ReferenceCase]:
    """Deterministic choice: the first example of chosen groups, so cases differ in length and domain."""
    def first(pool: Dict[str, List[Example]], domain: str, group: str) -> Example:
        for ex in pool[domain]:
            if ex.group == group:
                return ex
        raise ValueError(f"no {domain} example in group {group!r} for the reference cases")

    return [
        ReferenceCase("c0", [first(train, "knowledge", "hop1")]),
        ReferenceCase("c1", [first(train, "math", "sub")]),
        ReferenceCase("c2", [first(train, "code", "add")]),
        ReferenceCase("c3", [first(train, "code", "twice")]),
        ReferenceCase("c4", [first(train, "code", "sub"), first(test, "knowledge", "hop2-r0"),
                             first(test, "math", "add")]),
    ]


@torch.no_grad()
def case_tensors(model: OlmoeForCausalLM, case: ReferenceCase, vocab: Vocab) -> Dict[str, np.ndarray]:
    rows = [vocab.encode(ex.prompt + (ex.answer,), where=ex.id) for ex in case.examples]
    t = max(len(r) for r in rows)
    ids = torch.full((len(rows), t), vocab.pad_id, dtype=torch.int64)
    mask = torch.zeros((len(rows), t), dtype=torch.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
        mask[i, :len(r)] = 1
    was_training = model.training
    model.eval()
    out = model(ids, attention_mask=mask)
    model.train(was_training)
    logp = F.log_softmax(out.logits[:, :-1].double(), dim=-1)
    nll = -logp.gather(-1, ids[:, 1:, None]).squeeze(-1)
    nll = nll.masked_fill(mask[:, 1:] == 0, 0.0).float()
    p = case.name
    return {
        f"{p}.input_ids": ids.numpy(),
        f"{p}.attention_mask": mask.numpy(),
        f"{p}.logits": out.logits.numpy().astype(np.float32),
        f"{p}.router_probs": torch.stack(out.router_probs).numpy().astype(np.float32),
        f"{p}.nll": nll.numpy(),
    }


def write_reference(path: str, model: OlmoeForCausalLM, cases: Sequence[ReferenceCase], vocab: Vocab) -> None:
    tensors: Dict[str, np.ndarray] = {}
    for case in cases:
        tensors.update(case_tensors(model, case, vocab))
    texts = {c.name: [{"id": ex.id, "text": ex.text, "domain": ex.domain} for ex in c.examples] for c in cases}
    meta = {
        "cases": json.dumps(texts),
        "notes": "right padding; position ids 0..T-1 for every row; nll[b, t] = -log p(ids[b, t+1]) "
                 "and is 0 where attention_mask[b, t+1] == 0; router_probs are float32 softmax over all experts",
    }
    save_file(path, tensors, meta)
