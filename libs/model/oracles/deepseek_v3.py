"""DeepseekV3ForCausalLM's forward in PyTorch, as transformers' modeling_deepseek_v3.py writes it (eager
attention, view/transpose/split in the same order, apply_rotary_pos_emb_interleave, the TopkRouter's
group-limited selection), in float64: the oracle grokwatch's TypeScript reference forward and ONNX
graph are checked against (libs/model/src/reference/torch-oracle.test.ts).

Usage: deepseek_v3.py CHECKPOINT_DIR IDS_JSON  ->  JSON {"logits": [T*V], "chosen": [[sorted ids per token] per routed layer]}
Reads a single-shard float32 model.safetensors (the test writes one).
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "trainer"))
from safetensors_io import load_file  # noqa: E402


def rms_norm(x, w, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rope(x, cos, sin, interleave):
    if interleave:
        b, h, s, d = x.shape
        x = x.view(b, h, s, d // 2, 2).transpose(4, 3).reshape(b, h, s, d)
    return x * cos + rotate_half(x) * sin


def main():
    directory, ids = sys.argv[1], json.loads(sys.argv[2])
    cfg = json.load(open(os.path.join(directory, "config.json")))
    raw, _ = load_file(os.path.join(directory, "model.safetensors"))
    W = {k: torch.from_numpy(v.astype("float64")) for k, v in raw.items()}

    def lin(name, x):
        y = x @ W[name + ".weight"].T
        return y + W[name + ".bias"] if name + ".bias" in W else y

    def mlp(prefix, x):
        return lin(prefix + ".down_proj", torch.nn.functional.silu(lin(prefix + ".gate_proj", x)) * lin(prefix + ".up_proj", x))

    H = cfg["num_attention_heads"]
    nope, rope, vd, kvr = cfg["qk_nope_head_dim"], cfg["qk_rope_head_dim"], cfg["v_head_dim"], cfg["kv_lora_rank"]
    qr = cfg.get("q_lora_rank")
    eps = cfg["rms_norm_eps"]
    interleave = cfg.get("rope_interleave", True)
    K, k, G, kg = cfg["n_routed_experts"], cfg["num_experts_per_tok"], cfg["n_group"], cfg["topk_group"]
    T = len(ids)

    inv_freq = 1.0 / (cfg.get("rope_theta", 10000) ** (torch.arange(0, rope, 2, dtype=torch.float64) / rope))
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]
    causal = torch.full((T, T), float("-inf"), dtype=torch.float64).triu(1)

    h = W["model.embed_tokens.weight"][torch.tensor(ids)][None]  # [1, T, d]
    chosen = []
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        a = p + "self_attn."
        x = rms_norm(h, W[p + "input_layernorm.weight"], eps)
        if qr is None:
            q = lin(a + "q_proj", x)
        else:
            q = lin(a + "q_b_proj", rms_norm(lin(a + "q_a_proj", x), W[a + "q_a_layernorm.weight"], 1e-6))
        q = q.view(1, T, -1, nope + rope).transpose(1, 2)
        q_pass, q_rot = torch.split(q, [nope, rope], dim=-1)
        k_pass, k_rot = torch.split(lin(a + "kv_a_proj_with_mqa", x), [kvr, rope], dim=-1)
        k_pass = lin(a + "kv_b_proj", rms_norm(k_pass, W[a + "kv_a_layernorm.weight"], 1e-6)).view(1, T, -1, nope + vd).transpose(1, 2)
        k_pass, v = torch.split(k_pass, [nope, vd], dim=-1)
        k_rot = k_rot.view(1, 1, T, rope)
        q_rot, k_rot = apply_rope(q_rot, cos, sin, interleave), apply_rope(k_rot, cos, sin, interleave)
        k_rot = k_rot.expand(*k_pass.shape[:-1], -1)
        qs, ks = torch.cat((q_pass, q_rot), dim=-1), torch.cat((k_pass, k_rot), dim=-1)
        probs = torch.softmax(qs @ ks.transpose(2, 3) * (nope + rope) ** -0.5 + causal, dim=-1)
        h = h + lin(a + "o_proj", (probs @ v).transpose(1, 2).reshape(1, T, H * vd))

        x = rms_norm(h, W[p + "post_attention_layernorm.weight"], eps)[0]
        m = p + "mlp"
        if i < cfg.get("first_k_dense_replace", 3):
            h = h + mlp(m, x)[None]
            continue
        scores = (x @ W[m + ".gate.weight"].T).sigmoid()
        for_choice = scores + W[m + ".gate.e_score_correction_bias"]
        group_scores = for_choice.view(-1, G, K // G).topk(2, dim=-1)[0].sum(dim=-1)
        group_idx = torch.topk(group_scores, k=kg, dim=-1, sorted=False)[1]
        group_mask = torch.zeros_like(group_scores).scatter_(1, group_idx, 1)
        score_mask = group_mask.unsqueeze(-1).expand(-1, G, K // G).reshape(-1, K)
        topk_idx = torch.topk(for_choice.masked_fill(~score_mask.bool(), 0.0), k=k, dim=-1, sorted=False)[1]
        topk_w = scores.gather(1, topk_idx)
        if cfg.get("norm_topk_prob", True):
            topk_w = topk_w / (topk_w.sum(dim=-1, keepdim=True) + 1e-20)
        topk_w = topk_w * cfg.get("routed_scaling_factor", 2.5)
        y = torch.zeros_like(x)
        for t in range(T):
            for j in range(k):
                y[t] += topk_w[t, j] * mlp(f"{m}.experts.{int(topk_idx[t, j])}", x[t])
        if cfg.get("n_shared_experts", 1):
            y = y + mlp(m + ".shared_experts", x)
        h = h + y[None]
        chosen.append([sorted(int(e) for e in row) for row in topk_idx])

    head = W["lm_head.weight"] if "lm_head.weight" in W else W["model.embed_tokens.weight"]
    logits = rms_norm(h, W["model.norm.weight"], eps)[0] @ head.T
    json.dump({"logits": logits.reshape(-1).tolist(), "chosen": chosen}, sys.stdout)


if __name__ == "__main__":
    main()
