"""Unit tests of the recorder's parts that need no grokwatch: router discovery and the DeepSeek-V3
family's selection (against a plain loop), summaries on a hand-checked case, and a client that never
blocks or raises into the training loop (a local HTTP server that fails, refuses, then answers).

    /usr/bin/python3 -m unittest discover -s recorder
"""

import json
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer

import torch
from torch import nn

from grokwatch_recorder import GrokwatchClient, GrokwatchError, ProbeSample, RoutingRecorder, find_routers
from grokwatch_recorder.routers import scores_and_choice
from grokwatch_recorder.summary import SampleSummary, summarize_sample, target_token_range


class Block(nn.Module):
    def __init__(self, hidden: int, experts: int, biased: bool) -> None:
        super().__init__()
        self.gate = nn.Linear(hidden, experts, bias=False)
        if biased:
            self.gate.register_buffer("e_score_correction_bias", torch.randn(experts))
        self.experts = nn.ModuleList([nn.Identity() for _ in range(experts)])


class Config:
    num_experts_per_tok = 2
    n_group = 4
    topk_group = 2
    bos_token_id = 1
    pad_token_id = 0


class TinyMoe(nn.Module):
    """Enough of a causal LM for the recorder: embeddings, two routed blocks, a final norm, a head."""

    def __init__(self, biased: bool = False) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.config = Config()
        self.embed = nn.Embedding(11, 6)
        self.layers = nn.ModuleList([Block(6, 8, biased) for _ in range(2)])
        self.model = nn.Module()
        self.model.norm = nn.LayerNorm(6)
        self.head = nn.Linear(6, 11)

    def forward(self, input_ids, attention_mask=None):
        x = self.embed(input_ids)
        for block in self.layers:
            x = x + 0.1 * block.gate(x.reshape(-1, 6)).reshape(*x.shape[:2], 8)[..., :6]
        return self.head(self.model.norm(x))


class RouterTest(unittest.TestCase):
    def test_routers_are_found_in_layer_order_and_the_bias_marks_the_family(self):
        specs = find_routers(TinyMoe(biased=True))
        self.assertEqual([s.name for s in specs], ["layers.0.gate", "layers.1.gate"])
        self.assertEqual({s.scoring for s in specs}, {"sigmoid"})
        self.assertEqual([s.scoring for s in find_routers(TinyMoe())], ["softmax", "softmax"])
        with self.assertRaises(ValueError):
            find_routers(nn.Linear(3, 3), top_k=2)

    def test_biased_group_limited_selection_matches_a_plain_loop(self):
        spec = find_routers(TinyMoe(biased=True))[0]
        torch.manual_seed(3)
        logits = torch.randn(50, 8)
        _, chosen = scores_and_choice(logits, spec)
        bias = spec.correction_bias.tolist()
        moved = 0
        for n in range(50):
            s = [1 / (1 + torch.exp(-z).item()) for z in logits[n]]
            c = [s[e] + bias[e] for e in range(8)]
            groups = sorted(range(4), key=lambda g: -(sorted(c[2 * g:2 * g + 2])[-1] + sorted(c[2 * g:2 * g + 2])[-2]))[:2]
            masked = [c[e] if e // 2 in groups else 0.0 for e in range(8)]
            want = sorted(range(8), key=lambda e: -masked[e])[:2]
            self.assertEqual(sorted(chosen[n].tolist()), sorted(want), f"token {n}")
            moved += sorted(want) != sorted(sorted(range(8), key=lambda e: -s[e])[:2])
        self.assertGreater(moved, 0, "the bias changed some choice, so the test would see it ignored")


class SummaryTest(unittest.TestCase):
    def test_a_hand_checked_sample(self):
        # 3 tokens, BOS first: means over tokens 1 and 2 only; one layer, two experts, k = 1.
        scores = torch.tensor([[[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]]])
        chosen = torch.tensor([[[0], [1], [1]]])
        hidden = torch.tensor([[5.0, 5.0], [1.0, 2.0], [3.0, 4.0]])
        logits = torch.zeros(3, 4)  # uniform: every NLL is ln 4
        s = summarize_sample(7, [1, 2, 3], (2, 3), scores, chosen, hidden, logits, bos_token_id=1)
        self.assertEqual(s.selection_counts, [[0, 2]])
        for got, want in zip(s.routing[0], [0.3, 0.7]):
            self.assertAlmostEqual(got, want, places=6)
        self.assertEqual(s.embedding, [2.0, 3.0])
        self.assertAlmostEqual(s.nll, 1.3862944, places=6)
        self.assertAlmostEqual(s.target_nll, 1.3862944, places=6)
        self.assertEqual(s.target_routing, [[0.4000000059604645, 0.6000000238418579]])
        self.assertEqual(s.position_routing, [[0.20000000298023224, 0.800000011920929]])
        self.assertEqual(s.token_count, 3)
        # Uniform predictions have zero variance at every position: nothing to score (as minKPlusPlus).
        self.assertIsNone(s.min_k_plus_plus)

    def test_targets_map_as_capture_maps_them(self):
        tokenize = lambda text: [1] + [len(w) for w in text.split()]  # noqa: E731 - a stand-in tokenizer
        self.assertEqual(target_token_range(tokenize, "aa bbb = c", 9, 10, tokenize("aa bbb = c")), (4, 5))
        self.assertIsNone(target_token_range(tokenize, "aa", 0, 1, tokenize("aa")))

    def test_the_recorder_restores_training_mode_and_removes_its_hooks(self):
        model = TinyMoe()
        model.train()
        rec = RoutingRecorder(model, [ProbeSample(0, (1, 4, 5, 6)), ProbeSample(1, (1, 7), (1, 2))], batch_size=2)
        out = rec.summarize()
        self.assertTrue(model.training)
        self.assertEqual([len(m._forward_hooks) for m in (model.layers[0].gate, model.layers[1].gate, model.model.norm)], [0, 0, 0])
        self.assertEqual([s.token_count for s in out], [4, 2])
        self.assertEqual(sum(out[1].selection_counts[0]), 2)  # one routed token (BOS left out) x k = 2


class Server:
    """Answers GraphQL posts from a script of (status, body) replies; records what it got."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.received = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                outer.received.append((self.headers.get("x-api-key"), body))
                status, reply = outer.replies.pop(0) if outer.replies else (500, {})
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.http = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_port}/graphql"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self):
        self.http.shutdown()


def summary(index):
    return SampleSummary(index, 3, [[0.5, 0.5]], [[1, 1]], [0.0], 1.0, -0.5)


class ClientTest(unittest.TestCase):
    def test_a_failing_server_is_retried_then_sent_in_batches_with_the_key(self):
        server = Server([(503, {}), (200, {"data": {"registerCheckpoint": {"id": "c1"}}}),
                         (200, {"data": {"ingestRouting": {"stored": 2, "skipped": 0}}}),
                         (200, {"data": {"ingestRouting": {"stored": 1, "skipped": 0}}})])
        client = GrokwatchClient(server.url, "secret", backoff=0.01, samples_per_request=2)
        started = time.monotonic()
        client.submit_checkpoint("run", 5, "ps", [summary(0), summary(1), summary(2)], tokens_seen=10, hyperparameters={"learningRate": 0.1})
        self.assertLess(time.monotonic() - started, 0.5, "submitting does not wait for the network")
        self.assertTrue(client.flush(10))
        server.close()
        self.assertEqual(client.sent, [{"step": 5, "checkpointId": "c1", "stored": 3}])
        self.assertEqual({key for key, _ in server.received}, {"secret"})
        register = server.received[1][1]["variables"]["input"]
        self.assertEqual(register, {"runId": "run", "step": 5, "uri": "recorder://run/step5", "tokensSeen": 10.0, "hyperparameters": {"learningRate": 0.1}})
        self.assertEqual([len(b["variables"]["input"]["samples"]) for _, b in server.received[2:]], [2, 1])

    def test_a_refusal_is_not_retried_and_an_unreachable_server_never_raises(self):
        server = Server([(200, {"errors": [{"message": "run x not found", "extensions": {"code": "NOT_FOUND"}}]})])
        client = GrokwatchClient(server.url, backoff=0.01)
        client.submit_checkpoint("x", 1, "ps", [summary(0)])
        self.assertTrue(client.flush(10))
        server.close()
        self.assertEqual(len(server.received), 1)
        self.assertEqual(client.dropped, [{"step": 1, "error": "run x not found"}])

        down = GrokwatchClient("http://127.0.0.1:9/graphql", retries=1, backoff=0.01, timeout=1)
        down.submit_checkpoint("x", 2, "ps", [summary(0)])
        self.assertTrue(down.flush(10))
        self.assertEqual([d["step"] for d in down.dropped], [2])
        with self.assertRaises(GrokwatchError):
            down.probe_set_rows("ps")


if __name__ == "__main__":
    unittest.main()
