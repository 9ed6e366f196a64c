"""Hugging Face checkpoint layout: <dir>/config.json (OlmoeForCausalLM) + <dir>/model.safetensors.

Checkpoints are written atomically: into a temporary sibling directory, files fsynced, then renamed,
so a reader (grokwatch watching the folder) never sees a half-written checkpoint.
"""

from __future__ import annotations

import json
import os
import shutil
from typing import Callable, Dict, Optional

import numpy as np
import torch

from model import MoeConfig, OlmoeForCausalLM
from safetensors_io import load_file, save_file

TRAINER_STATE = "trainer_state.json"


class CheckpointError(ValueError):
    def __init__(self, directory: str, message: str) -> None:
        super().__init__(f"checkpoint {directory}: {message}")
        self.directory = directory


def hf_config(cfg: MoeConfig) -> dict:
    """config.json for transformers' OlmoeForCausalLM."""
    return {
        "architectures": ["OlmoeForCausalLM"],
        "model_type": "olmoe",
        "hidden_size": cfg.hidden_size,
        "intermediate_size": cfg.intermediate_size,
        "num_hidden_layers": cfg.num_hidden_layers,
        "num_attention_heads": cfg.num_attention_heads,
        "num_key_value_heads": cfg.num_key_value_heads,
        "num_experts": cfg.num_experts,
        "num_experts_per_tok": cfg.num_experts_per_tok,
        "norm_topk_prob": cfg.norm_topk_prob,
        "rms_norm_eps": cfg.rms_norm_eps,
        "rope_theta": cfg.rope_theta,
        "rope_scaling": None,
        "max_position_embeddings": cfg.max_position_embeddings,
        "vocab_size": cfg.vocab_size,
        "tie_word_embeddings": cfg.tie_word_embeddings,
        "bos_token_id": cfg.bos_token_id,
        "eos_token_id": cfg.eos_token_id,
        "pad_token_id": cfg.pad_token_id,
        "hidden_act": "silu",
        "attention_bias": False,
        "attention_dropout": 0.0,
        "clip_qkv": None,
        "initializer_range": cfg.initializer_range,
        "router_aux_loss_coef": cfg.router_aux_loss_coef,
        "output_router_logits": False,
        "use_cache": True,
        "torch_dtype": "float32",
    }


def config_from_hf(d: dict, directory: str = "<config>") -> MoeConfig:
    if d.get("model_type") != "olmoe":
        raise CheckpointError(directory, f"config.json model_type is {d.get('model_type')!r}, expected 'olmoe'")
    if d.get("clip_qkv") is not None:
        raise CheckpointError(directory, "clip_qkv is set; this trainer's model does not implement it")
    fields = {f: d[f] for f in MoeConfig.__dataclass_fields__ if f in d}
    missing = [f for f in ("vocab_size", "hidden_size", "num_hidden_layers") if f not in d]
    if missing:
        raise CheckpointError(directory, f"config.json lacks {missing}")
    return MoeConfig(**fields)


def state_arrays(model: OlmoeForCausalLM) -> Dict[str, np.ndarray]:
    """Float32 arrays keyed by HF parameter name; a tied lm_head is stored once, as HF does."""
    out: Dict[str, np.ndarray] = {}
    for name, tensor in model.state_dict().items():
        if name == "lm_head.weight" and model.cfg.tie_word_embeddings:
            continue
        out[name] = tensor.detach().to(torch.float32).cpu().numpy()
    return out


def write_checkpoint(directory: str, model: OlmoeForCausalLM,
                     extra_files: Callable[[str], None] = lambda tmp: None) -> None:
    """Write config.json + model.safetensors (+ whatever extra_files writes into the temp dir),
    then atomically move the directory into place (replacing an older one of the same name)."""
    parent = os.path.dirname(os.path.abspath(directory))
    os.makedirs(parent, exist_ok=True)
    tmp = os.path.join(parent, f".tmp-{os.path.basename(directory)}-{os.getpid()}")
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp)
    with open(os.path.join(tmp, "config.json"), "w") as f:
        json.dump(hf_config(model.cfg), f, indent=2)
        f.write("\n")
    save_file(os.path.join(tmp, "model.safetensors"), state_arrays(model))
    extra_files(tmp)
    for name in os.listdir(tmp):
        with open(os.path.join(tmp, name), "rb") as f:
            os.fsync(f.fileno())
    if os.path.exists(directory):
        shutil.rmtree(directory)
    os.rename(tmp, directory)


def load_checkpoint(directory: str) -> OlmoeForCausalLM:
    """Rebuild the model from a checkpoint directory; every expected tensor must be present with
    the expected shape, and no unexpected one."""
    with open(os.path.join(directory, "config.json")) as f:
        cfg = config_from_hf(json.load(f), directory)
    arrays, _ = load_file(os.path.join(directory, "model.safetensors"))
    model = OlmoeForCausalLM(cfg)
    expected = model.state_dict()
    if cfg.tie_word_embeddings:
        expected = {k: v for k, v in expected.items() if k != "lm_head.weight"}
    missing = sorted(set(expected) - set(arrays))
    unexpected = sorted(set(arrays) - set(expected))
    if missing or unexpected:
        raise CheckpointError(directory, f"missing tensors {missing[:5]}, unexpected tensors {unexpected[:5]}")
    for name, value in expected.items():
        if tuple(arrays[name].shape) != tuple(value.shape):
            raise CheckpointError(directory, f"tensor {name} has shape {list(arrays[name].shape)}, "
                                             f"expected {list(value.shape)}")
    model.load_state_dict({k: torch.from_numpy(v) for k, v in arrays.items()}, strict=not cfg.tie_word_embeddings)
    model.eval()
    return model


def write_trainer_state(directory: str, step: int, learning_rate: Optional[float], weight_decay: Optional[float]) -> None:
    """trainer_state.json as Hugging Face's Trainer writes it (global_step, log_history), with the
    optimizer settings in effect at this step; grokwatch reads them to place schedule changes."""
    history = [] if learning_rate is None else [{"step": step, "learning_rate": learning_rate, "weight_decay": weight_decay}]
    with open(os.path.join(directory, TRAINER_STATE), "w") as f:
        json.dump({"global_step": step, "log_history": history}, f, indent=2)
        f.write("\n")
