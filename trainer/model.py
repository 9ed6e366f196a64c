"""OLMoE-architecture causal LM, computing what transformers' modeling_olmoe.py computes.

Reference: transformers/models/olmoe/modeling_olmoe.py (OlmoeForCausalLM, eager attention).
Parameter names match the Hugging Face checkpoint layout exactly (model.layers.{i}...), so the
state_dict written by checkpoint.py loads into OlmoeForCausalLM and into grokwatch's TypeScript
forward without renaming.

Per layer:  h = h + o_proj(attn(RoPE(q_norm(q_proj(n1(h)))), RoPE(k_norm(k_proj(n1(h)))), v_proj(n1(h))))
            h = h + MoE(n2(h))
MoE:        p = softmax_f32(gate(x)) over all E experts; top-k of p; renormalize iff norm_topk_prob;
            y = sum_{j in top-k} p_j * down_j(silu(gate_j(x)) * up_j(x)).
The auxiliary load-balancing loss is a training-time extra (aux_loss), not part of the forward.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class MoeConfig:
    vocab_size: int
    hidden_size: int = 64
    intermediate_size: int = 32
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    num_key_value_heads: int = 4
    num_experts: int = 8
    num_experts_per_tok: int = 2
    norm_topk_prob: bool = False
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    max_position_embeddings: int = 64
    tie_word_embeddings: bool = False
    router_aux_loss_coef: float = 0.01
    initializer_range: float = 0.02
    pad_token_id: int = 0
    bos_token_id: int = 1
    eos_token_id: int = 2

    def __post_init__(self) -> None:
        if self.hidden_size % self.num_attention_heads != 0:
            raise ValueError(
                f"hidden_size {self.hidden_size} is not divisible by num_attention_heads "
                f"{self.num_attention_heads}")
        if (self.hidden_size // self.num_attention_heads) % 2 != 0:
            raise ValueError("head_dim must be even for rotate_half RoPE")
        if self.num_attention_heads % self.num_key_value_heads != 0:
            raise ValueError("num_attention_heads must be a multiple of num_key_value_heads")
        if not 1 <= self.num_experts_per_tok <= self.num_experts:
            raise ValueError(
                f"num_experts_per_tok {self.num_experts_per_tok} not in [1, {self.num_experts}]")

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads

    def to_dict(self) -> dict:
        return asdict(self)


class RMSNorm(nn.Module):
    """x * rsqrt(mean(x^2) + eps) * weight, in float32 (OlmoeRMSNorm)."""

    def __init__(self, width: int, eps: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        in_dtype = x.dtype
        x32 = x.to(torch.float32)
        x32 = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x32.to(in_dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(position_ids: torch.Tensor, head_dim: int, theta: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """cos/sin of shape (B, T, head_dim); the frequency vector is duplicated (cat(freqs, freqs))."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    freqs = position_ids.float()[..., None] * inv_freq  # (B, T, head_dim/2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


class Attention(nn.Module):
    def __init__(self, cfg: MoeConfig) -> None:
        super().__init__()
        self.cfg = cfg
        h, d = cfg.hidden_size, cfg.head_dim
        kv = cfg.num_key_value_heads * d
        self.q_proj = nn.Linear(h, h, bias=False)
        self.k_proj = nn.Linear(h, kv, bias=False)
        self.v_proj = nn.Linear(h, kv, bias=False)
        self.o_proj = nn.Linear(h, h, bias=False)
        # OLMoE normalizes the whole projected q (hidden wide) and k (kv wide), before the head split.
        self.q_norm = RMSNorm(h, cfg.rms_norm_eps)
        self.k_norm = RMSNorm(kv, cfg.rms_norm_eps)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor,
                mask: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        nh, nkv, d = self.cfg.num_attention_heads, self.cfg.num_key_value_heads, self.cfg.head_dim
        q = self.q_norm(self.q_proj(x)).view(b, t, nh, d).transpose(1, 2)   # (B, nh, T, d)
        k = self.k_norm(self.k_proj(x)).view(b, t, nkv, d).transpose(1, 2)  # (B, nkv, T, d)
        v = self.v_proj(x).view(b, t, nkv, d).transpose(1, 2)
        c, s = cos.unsqueeze(1), sin.unsqueeze(1)
        q = q * c + rotate_half(q) * s
        k = k * c + rotate_half(k) * s
        if nkv != nh:
            k = k.repeat_interleave(nh // nkv, dim=1)
            v = v.repeat_interleave(nh // nkv, dim=1)
        scores = _batched_product(q, k.transpose(2, 3)) / math.sqrt(d) + mask  # mask: (B, 1, T, T) additive
        probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = _batched_product(probs, v).transpose(1, 2).reshape(b, t, nh * d)
        return self.o_proj(out)


def _batched_product(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """a @ b over the leading dims. On CPU, batched matmul of thousands of tiny (T <= 8) matrices spends its
    time in per-matrix overhead (backward 3-4x slower than this broadcast-and-sum, measured at T=6); beyond
    that the broadcast intermediate grows as T^2 * d and matmul wins again."""
    if a.shape[-2] > 8 or a.is_cuda:
        return torch.matmul(a, b)
    return (a.unsqueeze(-1) * b.unsqueeze(-3)).sum(-2)


class Expert(nn.Module):
    def __init__(self, cfg: MoeConfig) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class SparseMoe(nn.Module):
    def __init__(self, cfg: MoeConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.gate = nn.Linear(cfg.hidden_size, cfg.num_experts, bias=False)
        self.experts = nn.ModuleList([Expert(cfg) for _ in range(cfg.num_experts)])

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """x (B, T, H) -> (y (B, T, H), router probabilities (B*T, E) float32 before top-k)."""
        b, t, h = x.shape
        flat = x.reshape(-1, h)
        probs = F.softmax(self.gate(flat), dim=1, dtype=torch.float32)
        weights, chosen = torch.topk(probs, self.cfg.num_experts_per_tok, dim=-1)
        if self.cfg.norm_topk_prob:
            weights = weights / weights.sum(dim=-1, keepdim=True)
        weights = weights.to(flat.dtype)
        out = self._dispatch(flat, weights, chosen)
        return out.view(b, t, h), probs

    def _dispatch(self, flat: torch.Tensor, weights: torch.Tensor, chosen: torch.Tensor) -> torch.Tensor:
        """HF's dropless token-choice dispatch: each expert runs only on the tokens that picked it."""
        out = torch.zeros_like(flat)
        for e, expert in enumerate(self.experts):
            token_idx, slot = torch.where(chosen == e)
            if token_idx.numel() == 0:
                continue
            y = expert(flat[token_idx]) * weights[token_idx, slot, None]
            out.index_add_(0, token_idx, y)
        return out


class DecoderLayer(nn.Module):
    def __init__(self, cfg: MoeConfig) -> None:
        super().__init__()
        self.self_attn = Attention(cfg)
        self.mlp = SparseMoe(cfg)
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor,
                mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        y, probs = self.mlp(self.post_attention_layernorm(x))
        return x + y, probs


class Backbone(nn.Module):
    def __init__(self, cfg: MoeConfig) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size, padding_idx=cfg.pad_token_id)
        self.layers = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg.num_hidden_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)


@dataclass
class ForwardOutput:
    logits: torch.Tensor              # (B, T, V) float32
    router_probs: List[torch.Tensor]  # per layer (B, T, E) float32, softmax before top-k


def additive_mask(attention_mask: Optional[torch.Tensor], b: int, t: int, dtype: torch.dtype) -> torch.Tensor:
    """Causal + key-padding mask as HF builds it: 0 where allowed, finfo.min where not. (B, 1, T, T)."""
    neg = torch.finfo(dtype).min
    allowed = torch.ones(t, t, dtype=torch.bool).tril()[None, None].expand(b, 1, t, t)
    if attention_mask is not None:
        allowed = allowed & attention_mask.bool()[:, None, None, :]
    mask = torch.zeros(b, 1, t, t, dtype=dtype)
    return mask.masked_fill(~allowed, neg)


class OlmoeForCausalLM(nn.Module):
    def __init__(self, cfg: MoeConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.model = Backbone(cfg)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        self.apply(self._init_weights)
        if cfg.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight

    def _init_weights(self, module: nn.Module) -> None:
        # Same scheme as OlmoePreTrainedModel._init_weights: N(0, initializer_range), norms at 1.
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=self.cfg.initializer_range)
        if isinstance(module, nn.Embedding) and module.padding_idx is not None:
            with torch.no_grad():
                module.weight[module.padding_idx].zero_()

    def forward(self, input_ids: torch.Tensor, attention_mask: Optional[torch.Tensor] = None,
                position_ids: Optional[torch.Tensor] = None) -> ForwardOutput:
        if input_ids.dim() != 2:
            raise ValueError(f"input_ids must be (batch, seq), got shape {tuple(input_ids.shape)}")
        b, t = input_ids.shape
        if t > self.cfg.max_position_embeddings:
            raise ValueError(f"sequence length {t} > max_position_embeddings {self.cfg.max_position_embeddings}")
        if int(input_ids.max()) >= self.cfg.vocab_size or int(input_ids.min()) < 0:
            raise ValueError(f"token id out of range [0, {self.cfg.vocab_size})")
        if position_ids is None:
            # HF default without cache: positions 0..T-1 for every row (padding does not shift them).
            position_ids = torch.arange(t)[None].expand(b, t)
        x = self.model.embed_tokens(input_ids)
        cos, sin = rope_cos_sin(position_ids, self.cfg.head_dim, self.cfg.rope_theta)
        mask = additive_mask(attention_mask, b, t, x.dtype)
        router_probs: List[torch.Tensor] = []
        for layer in self.model.layers:
            x, probs = layer(x, cos, sin, mask)
            router_probs.append(probs.view(b, t, -1))
        logits = self.lm_head(self.model.norm(x)).float()
        return ForwardOutput(logits=logits, router_probs=router_probs)


def load_balancing_loss(router_probs: List[torch.Tensor], top_k: int, token_mask: torch.Tensor) -> torch.Tensor:
    """Switch-style aux loss as in HF load_balancing_loss_func: E * sum_e f_e * P_e over real tokens.

    router_probs: per layer (B, T, E); token_mask: (B, T) bool, True for tokens that count.
    """
    probs = torch.cat([p[token_mask] for p in router_probs], dim=0)  # (L*N, E)
    e = probs.shape[-1]
    chosen = torch.topk(probs, top_k, dim=-1).indices
    tokens_per_expert = F.one_hot(chosen, e).float().mean(dim=0)  # (top_k, E)
    prob_per_expert = probs.mean(dim=0)                              # (E,)
    return (tokens_per_expert * prob_per_expert[None]).sum() * e
