"""RoutingRecorder: runs a lab's probe samples through its own model (eval mode, no gradients) with
hooks on the routers and the final norm, and reduces each sample to grokwatch's routing summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import torch
from torch import nn

from .routers import RouterSpec, find_routers, scores_and_choice
from .summary import SampleSummary, summarize_sample, target_token_range


@dataclass(frozen=True)
class ProbeSample:
    """A probe set row as token ids; `target` is its answer's token range [from, to), when it marks one."""

    index: int
    token_ids: Tuple[int, ...]
    target: Optional[Tuple[int, int]] = None


def _first_tensor(output) -> torch.Tensor:
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    raise TypeError(f"a router returned {type(output).__name__}, not logits")


class RoutingRecorder:
    def __init__(
        self,
        model: nn.Module,
        probes: Sequence[ProbeSample],
        *,
        routers: Optional[Sequence[str]] = None,
        top_k: Optional[int] = None,
        final_norm: Optional[str] = "model.norm",
        bos_token_id: Optional[int] = None,
        pad_token_id: Optional[int] = None,
        batch_size: int = 8,
    ) -> None:
        if not probes:
            raise ValueError("a recorder needs at least one probe sample")
        self.model = model
        self.probes = list(probes)
        self.specs: List[RouterSpec] = find_routers(model, routers, top_k)
        modules = dict(model.named_modules())
        self.final_norm = modules.get(final_norm) if final_norm else None
        config = getattr(model, "config", None) or getattr(model, "cfg", None)
        self.bos_token_id = bos_token_id if bos_token_id is not None else getattr(config, "bos_token_id", None)
        self.pad_token_id = pad_token_id if pad_token_id is not None else (getattr(config, "pad_token_id", None) or 0)
        self.batch_size = batch_size

    @classmethod
    def for_probe_set(cls, model: nn.Module, client, probe_set_id: str, tokenize: Callable[[str], Sequence[int]], **kwargs) -> "RoutingRecorder":
        """The probe set's rows from grokwatch, tokenized with the lab's tokenizer (targets mapped as capture maps them)."""
        probes = []
        for row in client.probe_set_rows(probe_set_id):
            ids = tuple(int(i) for i in tokenize(row["text"]))
            span = row.get("target")
            target = None if span is None else target_token_range(tokenize, row["text"], span["start"], span["end"], ids)
            probes.append(ProbeSample(row["index"], ids, target))
        return cls(model, probes, **kwargs)

    def summarize(self) -> List[SampleSummary]:
        """Every probe sample's summary at the model's current weights; training state is restored after."""
        was_training = self.model.training
        captured: List[Optional[torch.Tensor]] = [None] * len(self.specs)
        final: List[Optional[torch.Tensor]] = [None]

        def keep(slot: int):
            def hook(_module, _inputs, output):
                captured[slot] = _first_tensor(output).detach()
            return hook

        def keep_final(_module, _inputs, output):
            final[0] = _first_tensor(output).detach()

        handles = [spec.module.register_forward_hook(keep(i)) for i, spec in enumerate(self.specs)]
        if self.final_norm is not None:
            handles.append(self.final_norm.register_forward_hook(keep_final))
        device = next(self.model.parameters()).device
        out: List[SampleSummary] = []
        try:
            self.model.eval()
            with torch.no_grad():
                for at in range(0, len(self.probes), self.batch_size):
                    batch = self.probes[at:at + self.batch_size]
                    out.extend(self._summarize_batch(batch, captured, final, device))
        finally:
            for h in handles:
                h.remove()
            self.model.train(was_training)
        return out

    def _summarize_batch(self, batch: Sequence[ProbeSample], captured, final, device) -> List[SampleSummary]:
        B, T = len(batch), max(len(p.token_ids) for p in batch)
        ids = torch.full((B, T), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((B, T), dtype=torch.long)
        for b, p in enumerate(batch):
            ids[b, : len(p.token_ids)] = torch.tensor(p.token_ids)
            mask[b, : len(p.token_ids)] = 1
        result = self.model(input_ids=ids.to(device), attention_mask=mask.to(device))
        logits = result.logits if hasattr(result, "logits") else _first_tensor(result)
        per_layer = []
        for spec, z in zip(self.specs, captured):
            if z is None or z.numel() // z.shape[-1] != B * T:
                raise RuntimeError(f"router {spec.name} did not see the batch's {B * T} tokens")
            scores, chosen = scores_and_choice(z.reshape(B * T, -1), spec)
            per_layer.append((scores.view(B, T, -1), chosen.view(B, T, -1)))
        scores = torch.stack([s for s, _ in per_layer], dim=1)  # [B, L, T, E]
        chosen = torch.stack([c for _, c in per_layer], dim=1)  # [B, L, T, k]
        hidden = final[0]
        return [
            summarize_sample(p.index, p.token_ids, p.target, scores[b].cpu(), chosen[b].cpu(), None if hidden is None else hidden[b].cpu(), logits[b].cpu(), self.bos_token_id)
            for b, p in enumerate(batch)
        ]

    def record(self, client, run_id: str, step: int, probe_set_id: str, *, tokens_seen: Optional[float] = None,
               hyperparameters: Optional[dict] = None, uri: Optional[str] = None) -> List[SampleSummary]:
        """Summarize now, then hand the checkpoint and its routing to the client's sender (returns at once)."""
        summaries = self.summarize()
        client.submit_checkpoint(run_id, step, probe_set_id, summaries, tokens_seen=tokens_seen, hyperparameters=hyperparameters, uri=uri)
        return summaries
