"""Keeps the trainer honest: /usr/bin/python3 -m unittest discover -s trainer  (about 10-20 s).

- the model's forward against an independent float64 numpy re-implementation of modeling_olmoe.py
  (explicit loops over tokens, heads and experts; written from the HF definitions, sharing no code);
- safetensors bytes against the format spec, and malformed files rejected with a clear message;
- a few training steps of a tiny config end to end: every file written, config.json/safetensors
  parse, the reloaded checkpoint reproduces the saved reference outputs;
- the grokwatch announcement against a local HTTP server (and a dead address only warns);
- task construction invariants (answers, split disjointness, knowledge test items composable).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import struct
import sys
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import safetensors_io  # noqa: E402
import summary  # noqa: E402
import tasks  # noqa: E402
import train  # noqa: E402
from checkpoint import load_checkpoint  # noqa: E402
from grokwatch_hook import GrokwatchTarget, announce_checkpoint  # noqa: E402
from model import MoeConfig, OlmoeForCausalLM  # noqa: E402
from vocab import Vocab  # noqa: E402


# ---------- independent reference forward (float64 numpy, loops) ----------

def _rms(x: np.ndarray, w: np.ndarray, eps: float) -> np.ndarray:
    return x / np.sqrt(np.mean(x * x) + eps) * w


def _silu(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.exp(-x))


def naive_forward(sd: dict, cfg: MoeConfig, ids: list, mask: list):
    """One sequence. Returns logits (T, V) and router probabilities per layer (L, T, E)."""
    W = {k: v.detach().double().numpy() for k, v in sd.items()}
    T, H, nh, d = len(ids), cfg.hidden_size, cfg.num_attention_heads, cfg.head_dim
    h = np.stack([W["model.embed_tokens.weight"][t] for t in ids])
    inv = [1.0 / cfg.rope_theta ** (2 * i / d) for i in range(d // 2)]

    def rope(vec: np.ndarray, pos: int) -> np.ndarray:
        out = np.empty_like(vec)
        half = d // 2
        for i in range(half):
            c, s = math.cos(pos * inv[i]), math.sin(pos * inv[i])
            out[i] = vec[i] * c - vec[i + half] * s
            out[i + half] = vec[i + half] * c + vec[i] * s
        return out

    routers = []
    for layer in range(cfg.num_hidden_layers):
        p = f"model.layers.{layer}."
        x = np.stack([_rms(h[t], W[p + "input_layernorm.weight"], cfg.rms_norm_eps) for t in range(T)])
        q = np.stack([_rms(W[p + "self_attn.q_proj.weight"] @ x[t], W[p + "self_attn.q_norm.weight"],
                           cfg.rms_norm_eps) for t in range(T)])
        k = np.stack([_rms(W[p + "self_attn.k_proj.weight"] @ x[t], W[p + "self_attn.k_norm.weight"],
                           cfg.rms_norm_eps) for t in range(T)])
        v = np.stack([W[p + "self_attn.v_proj.weight"] @ x[t] for t in range(T)])
        att = np.zeros((T, H))
        for head in range(nh):
            sl = slice(head * d, (head + 1) * d)
            for i in range(T):
                qi = rope(q[i, sl], i)
                keys = [j for j in range(i + 1) if mask[j]]
                scores = np.array([qi @ rope(k[j, sl], j) / math.sqrt(d) for j in keys])
                w = np.exp(scores - scores.max())
                w /= w.sum()
                att[i, sl] = sum(wj * v[j, sl] for wj, j in zip(w, keys))
        h = h + np.stack([W[p + "self_attn.o_proj.weight"] @ att[t] for t in range(T)])
        probs_layer = []
        moe = np.zeros_like(h)
        for t in range(T):
            y = _rms(h[t], W[p + "post_attention_layernorm.weight"], cfg.rms_norm_eps)
            logits = W[p + "mlp.gate.weight"] @ y
            pr = np.exp(logits - logits.max())
            pr /= pr.sum()
            probs_layer.append(pr)
            top = sorted(range(cfg.num_experts), key=lambda e: -pr[e])[:cfg.num_experts_per_tok]
            wsum = sum(pr[e] for e in top) if cfg.norm_topk_prob else 1.0
            for e in top:
                q_ = f"{p}mlp.experts.{e}."
                inner = _silu(W[q_ + "gate_proj.weight"] @ y) * (W[q_ + "up_proj.weight"] @ y)
                moe[t] += pr[e] / wsum * (W[q_ + "down_proj.weight"] @ inner)
        h = h + moe
        routers.append(np.stack(probs_layer))
    final = np.stack([_rms(h[t], W["model.norm.weight"], cfg.rms_norm_eps) for t in range(T)])
    logits = final @ W["lm_head.weight"].T
    return logits, np.stack(routers)


class ModelMatchesNaiveReference(unittest.TestCase):
    def check(self, norm_topk: bool, extra: int = 0) -> None:
        torch.manual_seed(3)
        cfg = MoeConfig(vocab_size=23, hidden_size=16, intermediate_size=8, num_hidden_layers=2,
                        num_attention_heads=2, num_key_value_heads=2, num_experts=4, num_experts_per_tok=2,
                        norm_topk_prob=norm_topk, rope_theta=100.0, initializer_range=0.5)
        model = OlmoeForCausalLM(cfg).eval()
        with torch.no_grad():  # non-trivial norm gains so a skipped weight would show
            for name, p in model.named_parameters():
                if p.dim() == 1:
                    p.copy_(1.0 + 0.3 * torch.randn_like(p))
        # `extra` lengthens both rows past the broadcast-product cutoff (model._batched_product).
        ids = torch.tensor([[1, 5, 9, 4, 22, 7, 3] + [6, 13] * extra, [1, 8, 2, 11] + [0] * (3 + 2 * extra)])
        mask = torch.tensor([[1] * (7 + 2 * extra), [1, 1, 1, 1] + [0] * (3 + 2 * extra)])
        with torch.no_grad():
            out = model(ids, attention_mask=mask)
        for b in range(2):
            n = int(mask[b].sum())
            logits, routers = naive_forward(model.state_dict(), cfg, ids[b].tolist(), mask[b].tolist())
            np.testing.assert_allclose(out.logits[b, :n].numpy(), logits[:n], atol=2e-5, rtol=1e-4)
            got_r = torch.stack(out.router_probs)[:, b, :n].numpy()
            np.testing.assert_allclose(got_r, routers[:, :n], atol=1e-6)
            self.assertGreater(float(np.abs(logits).max()), 0.1)  # not a degenerate all-zero model

    def test_forward_plain_topk(self) -> None:
        self.check(norm_topk=False)

    def test_forward_renormalized_topk(self) -> None:
        self.check(norm_topk=True)

    def test_forward_long_sequences(self) -> None:
        self.check(norm_topk=True, extra=3)

    def test_padding_does_not_change_real_tokens(self) -> None:
        torch.manual_seed(0)
        model = OlmoeForCausalLM(MoeConfig(vocab_size=20, hidden_size=16, num_attention_heads=2,
                                           num_key_value_heads=2, num_hidden_layers=2)).eval()
        short = torch.tensor([[1, 4, 5, 6]])
        padded = torch.tensor([[1, 4, 5, 6, 0, 0]])
        with torch.no_grad():
            a = model(short).logits
            b = model(padded, attention_mask=torch.tensor([[1, 1, 1, 1, 0, 0]])).logits
        np.testing.assert_allclose(a[0].numpy(), b[0, :4].numpy(), atol=1e-6)


# ---------- safetensors ----------

class SafetensorsFormat(unittest.TestCase):
    def test_bytes_follow_the_spec(self) -> None:
        a = np.arange(6, dtype=np.float32).reshape(2, 3)
        blob = safetensors_io.encode({"w": a, "i": np.array([7, -1], dtype=np.int64)})
        (n,) = struct.unpack("<Q", blob[:8])
        self.assertEqual(n % 8, 0)
        header = json.loads(blob[8:8 + n])
        self.assertEqual(header["__metadata__"], {"format": "pt"})
        self.assertEqual(header["i"], {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]})
        self.assertEqual(header["w"], {"dtype": "F32", "shape": [2, 3], "data_offsets": [16, 40]})
        data = blob[8 + n:]
        self.assertEqual(struct.unpack("<2q", data[:16]), (7, -1))
        self.assertEqual(struct.unpack("<6f", data[16:40]), (0.0, 1.0, 2.0, 3.0, 4.0, 5.0))
        back, meta = safetensors_io.decode(blob)
        np.testing.assert_array_equal(back["w"], a)

    def test_malformed_files_are_rejected(self) -> None:
        blob = safetensors_io.encode({"w": np.zeros((2, 2), np.float32)})
        with self.assertRaisesRegex(safetensors_io.SafetensorsError, "trailing bytes"):
            safetensors_io.decode(blob + b"\0\0\0\0", "x.safetensors")
        with self.assertRaisesRegex(safetensors_io.SafetensorsError, "tensor w: data_offsets"):
            safetensors_io.decode(blob[:-4], "x.safetensors")
        with self.assertRaisesRegex(safetensors_io.SafetensorsError, "runs past the end"):
            safetensors_io.decode(struct.pack("<Q", 999) + b"{}", "x.safetensors")


# ---------- tasks ----------

class Tasks(unittest.TestCase):
    def test_answers_and_splits(self) -> None:
        cfg = tasks.TaskConfig(math_p=7, math_ops=("+", "-", "*"), code_q=5, kn_entities=9, kn_relations=3, seed=1)
        splits = tasks.build_splits(cfg)
        for d in tasks.DOMAINS:
            tr = {e.id for e in splits[d].train}
            te = {e.id for e in splits[d].test}
            self.assertFalse(tr & te, d)
            self.assertTrue(te, d)
            for ex in splits[d].train + splits[d].test:
                self.assertEqual(ex.prompt[-1], "=")
        by_id = {e.id: e for e in splits["math"].train + splits["math"].test}
        self.assertEqual(by_id["math-sub-2-5"].answer, "4")     # (2 - 5) mod 7
        self.assertEqual(by_id["math-mul-3-4"].answer, "5")     # 12 mod 7
        code = {e.id: e for e in splits["code"].train + splits["code"].test}
        self.assertEqual(code["code-twice-3-4"].text, "a = 3 ; b = a + 4 ; b = b + a ; b ? = 0")  # 10 mod 5
        self.assertEqual(code["code-sub-3-1"].answer, "3")      # (1 - 3) mod 5

    def test_knowledge_test_items_are_composable_from_training(self) -> None:
        rng = random.Random(0)
        graph = tasks.make_fact_graph(12, 4, rng)
        split = tasks.knowledge_split(graph, 0.5, rng)
        train_ids = {e.id for e in split.train}
        self.assertEqual(sum(1 for e in split.train if e.group == "hop1"), 12 * 4)
        firsts = {(e.prompt[0], e.prompt[1]) for e in split.train if e.group != "hop1"}
        seconds = set()
        for e in split.train:
            if e.group != "hop1":
                h, r1 = int(e.prompt[0][1:]), int(e.prompt[1][1:])
                seconds.add((graph.tail[h][r1], e.prompt[2]))
        for e in split.test:
            self.assertNotIn(e.id, train_ids)
            h, r1, r2 = int(e.prompt[0][1:]), int(e.prompt[1][1:]), int(e.prompt[2][1:])
            self.assertEqual(e.answer, f"e{graph.tail[graph.tail[h][r1]][r2]}")
            self.assertIn((e.prompt[0], e.prompt[1]), firsts)
            self.assertIn((graph.tail[h][r1], e.prompt[2]), seconds)
        self.assertEqual(len(split.train) + len(split.test), 12 * 4 + 12 * 4 * 4)


# ---------- end to end ----------

def read_json(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def read_jsonl(path: str) -> list:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class _Recorder(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        body = self.rfile.read(int(self.headers["content-length"]))
        _Recorder.received.append(({k.lower(): v for k, v in self.headers.items()}, json.loads(body)))
        reply = json.dumps({"data": {"registerCheckpoint": {"id": f"ck{len(_Recorder.received)}"}}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


class EndToEnd(unittest.TestCase):
    def test_tiny_run_writes_loadable_checkpoints(self) -> None:
        server = HTTPServer(("127.0.0.1", 0), _Recorder)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        _Recorder.received.clear()
        os.environ["GROKWATCH_API_KEY"] = "test-key"
        try:
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "m")
                args = train.build_parser().parse_args([
                    "--out", out, "--steps", "4", "--save-steps", "0,4", "--eval-every", "2",
                    "--hidden", "16", "--intermediate", "8", "--layers", "2", "--heads", "2", "--experts", "4",
                    "--math-p", "5", "--code-q", "3", "--kn-entities", "6", "--kn-relations", "2",
                    "--probes", "10", "--threads", "1", "--no-plot",
                    "--grokwatch-url", f"http://127.0.0.1:{server.server_port}/graphql", "--grokwatch-run", "run-1"])
                train.run(args)
                self.check_outputs(out)
        finally:
            del os.environ["GROKWATCH_API_KEY"]
            server.shutdown()
            server.server_close()
        self.assertEqual(len(_Recorder.received), 2)
        headers, body = _Recorder.received[1]
        self.assertEqual(headers.get("x-api-key"), "test-key")
        self.assertIn("registerCheckpoint", body["query"])
        inp = body["variables"]["input"]
        self.assertEqual((inp["runId"], inp["step"]), ("run-1", 4))
        self.assertTrue(os.path.isabs(inp["uri"]) and inp["uri"].endswith("step4"))
        self.assertIsInstance(inp["tokensSeen"], float)
        self.assertGreater(inp["tokensSeen"], 0)

    def check_outputs(self, out: str) -> None:
        manifest = read_json(os.path.join(out, "manifest.json"))
        self.assertEqual([c["step"] for c in manifest["checkpoints"]], [0, 4])
        rows = read_jsonl(os.path.join(out, "train-log.jsonl"))
        self.assertEqual([r["step"] for r in rows], [1, 2, 3, 4])
        self.assertEqual(set(rows[1]["test_acc"]), set(tasks.DOMAINS))
        for d in tasks.DOMAINS:
            for row in read_jsonl(os.path.join(out, "probes", f"{d}.jsonl")):
                self.assertEqual(set(row), {"id", "text", "target", "group", "domain"})
                start, end = row["target"]
                self.assertEqual(row["text"][start:end], row["text"].split()[-1])
                self.assertEqual(row["text"][start - 2:start], "= ")
            for row in read_jsonl(os.path.join(out, "suites", f"{d}.jsonl")):
                self.assertTrue(row["prompt"].endswith("="))
        tok = read_json(os.path.join(out, "tokenizer.json"))
        self.assertEqual(tok["model"]["type"], "WordLevel")
        for c in manifest["checkpoints"]:
            directory = os.path.join(out, c["dir"])
            config = read_json(os.path.join(directory, "config.json"))
            self.assertEqual(config["model_type"], "olmoe")
            state = read_json(os.path.join(directory, "trainer_state.json"))
            self.assertEqual(state["global_step"], c["step"])
            logged = {r["step"]: r for r in rows}
            expected = [] if c["step"] == 0 else [{"step": c["step"], "learning_rate": logged[c["step"]]["lr"],
                                                    "weight_decay": logged[c["step"]]["weight_decay"]}]
            self.assertEqual(state["log_history"], expected)
            self.assertEqual(config["architectures"], ["OlmoeForCausalLM"])
            self.assertEqual(config["vocab_size"], len(tok["model"]["vocab"]))
            model = load_checkpoint(directory)
            ref, meta = safetensors_io.load_file(os.path.join(directory, "reference.safetensors"))
            self.assertIn("cases", meta)
            for case in sorted({k.split(".")[0] for k in ref}):
                ids = torch.from_numpy(ref[f"{case}.input_ids"])
                mask = torch.from_numpy(ref[f"{case}.attention_mask"])
                with torch.no_grad():
                    again = model(ids, attention_mask=mask)
                np.testing.assert_allclose(again.logits.numpy(), ref[f"{case}.logits"], atol=1e-5)
                np.testing.assert_allclose(torch.stack(again.router_probs).numpy(), ref[f"{case}.router_probs"],
                                           atol=1e-6)
        self.assertFalse([n for n in os.listdir(os.path.join(out, "checkpoints")) if n.startswith(".tmp")])
        self.check_answer_loss(out, rows[-1])

    def check_answer_loss(self, out: str, last: dict) -> None:
        """test_answer_loss at the last step = the answer NLL of each suite item, one unpadded sequence at a time."""
        model = load_checkpoint(os.path.join(out, "checkpoints", "step4"))
        vocab = read_json(os.path.join(out, "tokenizer.json"))["model"]["vocab"]
        for d in tasks.DOMAINS:
            nll = []
            for row in read_jsonl(os.path.join(out, "suites", f"{d}.jsonl")):
                ids = [vocab["[BOS]"]] + [vocab[w] for w in row["prompt"].split()]
                with torch.no_grad():
                    logits = model(torch.tensor([ids])).logits[0, -1].double()
                nll.append(float(torch.logsumexp(logits, 0) - logits[vocab[row["answer"]]]))
            self.assertAlmostEqual(last["test_answer_loss"][d], sum(nll) / len(nll), places=4, msg=d)

    def test_dead_grokwatch_only_warns(self) -> None:
        target = GrokwatchTarget("http://127.0.0.1:9/graphql", "r")
        with self.assertLogs("grokwatch", level="WARNING") as logs:
            self.assertIsNone(announce_checkpoint(target, 7, 1.0, "/tmp/x", timeout_s=2))
        self.assertIn("step 7", logs.output[0])


class Summary(unittest.TestCase):
    # Hand-made log: math memorizes at step 2 and reaches 0.9 test at step 4 (= 2 x 2: grokked);
    # code memorizes at 2 and generalizes at 3 (< 2 x 2: not delayed enough); only 1, 3, 4 evaluated.
    ROWS = [
        {"step": 1, "train_acc": {"math": 0.1, "code": 0.2}, "test_acc": {"math": 0.0, "code": 0.1}},
        {"step": 2, "train_acc": {"math": 0.995, "code": 0.99}},
        {"step": 3, "train_acc": {"math": 1.0, "code": 1.0}, "test_acc": {"math": 0.5, "code": 0.95}},
        {"step": 4, "train_acc": {"math": 1.0, "code": 1.0}, "test_acc": {"math": 0.9, "code": 0.97}},
    ]

    def test_grokked_needs_generalization_at_twice_the_memorization_step(self) -> None:
        out = summary.summarize(self.ROWS, [{"step": 0}, {"step": 4}])["domains"]
        self.assertEqual((out["math"]["memorized_step"], out["math"]["generalized_step"]), (2, 4))
        self.assertTrue(out["math"]["grokked"])
        self.assertEqual(out["math"]["delay_ratio"], 2.0)
        self.assertEqual((out["code"]["memorized_step"], out["code"]["generalized_step"]), (2, 3))
        self.assertFalse(out["code"]["grokked"])

    def test_checkpoint_table_reads_step_zero_as_step_one(self) -> None:
        lines = summary.checkpoint_table(self.ROWS, [0, 4])
        self.assertEqual(lines[0], "| step | math train / test | code train / test |")
        self.assertEqual(lines[2], "| 1 | 0.100 / 0.000 | 0.200 / 0.100 |")
        self.assertEqual(lines[3], "| 4 | 1.000 / 0.900 | 1.000 / 0.970 |")
        with self.assertRaises(ValueError):
            summary.checkpoint_table(self.ROWS, [2])  # not evaluated


class DefaultSaveSteps(unittest.TestCase):
    def test_21_evenly_spaced_with_both_ends(self) -> None:
        self.assertEqual(train.default_save_steps(3000), list(range(0, 3001, 150)))
        odd = train.default_save_steps(2810)
        self.assertEqual((len(odd), odd[0], odd[-1]), (21, 0, 2810))


class Domains(unittest.TestCase):
    def test_parse_keeps_canonical_order(self) -> None:
        self.assertEqual(train.parse_domains("code,math"), ["math", "code"])
        for bad in ("", "math,math", "maths", "math,,physics"):
            with self.assertRaises(argparse.ArgumentTypeError, msg=bad):
                train.parse_domains(bad)

    def test_one_domain_run_trains_and_writes_only_it(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "m")
            args = train.build_parser().parse_args([
                "--out", out, "--steps", "2", "--save-steps", "2", "--domains", "math", "--aux-coef", "0",
                "--hidden", "16", "--intermediate", "8", "--layers", "2", "--heads", "2", "--experts", "4",
                "--math-p", "5", "--code-q", "3", "--kn-entities", "6", "--kn-relations", "2",
                "--probes", "10", "--no-plot"])
            train.run(args)
            rows = read_jsonl(os.path.join(out, "train-log.jsonl"))
            self.assertEqual(set(rows[-1]["test_acc"]), {"math"})
            self.assertEqual(sorted(os.listdir(os.path.join(out, "probes"))), ["code.jsonl", "knowledge.jsonl", "math.jsonl"])
            self.assertEqual(sorted(os.listdir(os.path.join(out, "suites"))), ["math-train.jsonl", "math.jsonl"])
            manifest = read_json(os.path.join(out, "manifest.json"))
            self.assertEqual([d["name"] for d in manifest["domains"]], ["math"])
            self.assertEqual(manifest["controls"], [{"name": "code", "probes": "probes/code.jsonl"},
                                                    {"name": "knowledge", "probes": "probes/knowledge.jsonl"}])
            # the math split is the one a three-domain run of the same seed trains on
            full = tasks.build_splits(tasks.TaskConfig(math_p=5, code_q=3, kn_entities=6, kn_relations=2))
            self.assertEqual(manifest["domains"][0]["n_train"], len(full["math"].train))


class Schedules(unittest.TestCase):
    def test_piecewise_constant_from_each_step_on(self) -> None:
        changes = train.parse_weight_decay_changes("1000:3.0, 300:2")
        self.assertEqual(changes, [(300, 2.0), (1000, 3.0)])
        got = [train.value_at(s, 1.0, changes) for s in (1, 299, 300, 999, 1000, 5000)]
        self.assertEqual(got, [1.0, 1.0, 2.0, 2.0, 3.0, 3.0])
        self.assertEqual(train.value_at(7, 0.5, []), 0.5)

    def test_malformed_schedules_are_refused(self) -> None:
        for bad in ("300", "300:x", "0:2.0", "300:-1"):
            with self.assertRaises(argparse.ArgumentTypeError, msg=bad):
                train.parse_weight_decay_changes(bad)
        with self.assertRaisesRegex(argparse.ArgumentTypeError, "--lr-from"):
            train.parse_lr_changes("300")

    def test_lr_schedule_applies_after_warmup(self) -> None:
        args = train.build_parser().parse_args(["--out", "x", "--lr", "1e-3", "--warmup", "10", "--lr-from", "20:2e-3"])
        self.assertEqual(args.lr_from, [(20, 2e-3)])
        self.assertAlmostEqual(train.lr_at(5, args), 5e-4)
        self.assertAlmostEqual(train.lr_at(19, args), 1e-3)
        self.assertAlmostEqual(train.lr_at(20, args), 2e-3)


class VocabChecks(unittest.TestCase):
    def test_rejects_bad_words(self) -> None:
        with self.assertRaisesRegex(ValueError, "duplicate"):
            Vocab.build(["a", "a"])
        with self.assertRaisesRegex(ValueError, "unknown words"):
            Vocab.build(["a"]).encode(["b"], where="row 3")


if __name__ == "__main__":
    unittest.main()
