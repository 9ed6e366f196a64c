"""Train the bundled grokking MoE and write its committed artefacts.

    /usr/bin/python3 trainer/train.py --out models/grokking-moe

writes into --out: tokenizer.json (+ tokenizer_config.json, special_tokens_map.json), probes/, suites/,
train-log.jsonl (one row per step), checkpoints/step<N>/{config.json, model.safetensors,
reference.safetensors}, manifest.json, summary.json (who grokked when) and curves.png.
With --grokwatch-url/--grokwatch-run every checkpoint is announced to grokwatch (grokwatch_hook.py), which
captures its folder; adding --grokwatch-probe-set ID records the routing in this process instead, with
grokwatch's PyTorch recorder (recorder/grokwatch_recorder), as a lab would inside its own loop.
Every checkpoint folder carries the tokenizer files, as Hugging Face checkpoints do.

Seeded and deterministic for a given thread count: one seed drives data splits, initialization and
batch order; torch runs with deterministic algorithms.
"""

from __future__ import annotations

import os

# GNU OpenMP threads spin while waiting; on a shared 2-core machine that makes every op wait for a
# descheduled spinner (measured: a 10x slowdown). Must be set before torch loads libgomp.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict  # noqa: E402
from typing import Callable, Dict, List, Optional, Sequence, Tuple  # noqa: E402

import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "recorder"))
from grokwatch_recorder import GrokwatchClient, RoutingRecorder  # noqa: E402

from batches import DomainBlock, EpochSampler, make_block  # noqa: E402
from checkpoint import write_checkpoint, write_trainer_state  # noqa: E402
from grokwatch_hook import GrokwatchTarget, announce_checkpoint  # noqa: E402
from model import MoeConfig, OlmoeForCausalLM  # noqa: E402
from objective import block_forward, evaluate  # noqa: E402
from outputs import write_control_probes, write_data_files, write_json, write_jsonl, write_tokenizer  # noqa: E402
from reference import ReferenceCase, pick_cases, write_reference  # noqa: E402
from summary import summarize  # noqa: E402
from tasks import DOMAINS, TaskConfig, build_splits, vocabulary  # noqa: E402
from vocab import Vocab  # noqa: E402

log = logging.getLogger("trainer")


def parse_steps(text: str) -> List[int]:
    try:
        steps = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"--save-steps must be comma-separated integers: {err}") from err
    if any(s < 0 for s in steps):
        raise argparse.ArgumentTypeError("--save-steps must be >= 0")
    return steps


def schedule_parser(flag: str) -> Callable[[str], List[Tuple[int, float]]]:
    """A parser for `flag`'s "300:2.0,1000:3.0" -> [(300, 2.0), (1000, 3.0)]: from each step on, that value."""
    def parse(text: str) -> List[Tuple[int, float]]:
        changes: List[Tuple[int, float]] = []
        for part in (s for s in text.split(",") if s.strip()):
            step, sep, value = part.partition(":")
            try:
                if not sep:
                    raise ValueError(f"{part!r} has no ':'")
                changes.append((int(step), float(value)))
            except ValueError as err:
                raise argparse.ArgumentTypeError(f"{flag} must be STEP:VALUE,...: {err}") from err
        if any(step < 1 or value < 0 for step, value in changes):
            raise argparse.ArgumentTypeError(f"{flag} needs steps >= 1 and values >= 0")
        return sorted(changes)
    return parse


def parse_domains(text: str) -> List[str]:
    """"math,code" -> ["math", "code"] in DOMAINS order; unknown or repeated names are refused."""
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [n for n in names if n not in DOMAINS]
    if unknown or not names or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"--domains must be distinct names from {','.join(DOMAINS)}; got {text!r}")
    return [d for d in DOMAINS if d in names]


parse_weight_decay_changes = schedule_parser("--weight-decay-from")
parse_lr_changes = schedule_parser("--lr-from")


def value_at(step: int, base: float, changes: Sequence[Tuple[int, float]]) -> float:
    """Piecewise constant: `base`, then each change from its step on."""
    value = base
    for start, v in changes:
        if step >= start:
            value = v
    return value


def lr_at(step: int, args: argparse.Namespace) -> float:
    """Linear warmup to the scheduled peak learning rate."""
    return value_at(step, args.lr, args.lr_from) * min(1.0, step / max(1, args.warmup))


def default_save_steps(steps: int, n: int = 21) -> List[int]:
    """n checkpoints evenly spaced over 0..steps, both ends included (150 apart for 3000)."""
    return sorted({round(i * steps / (n - 1)) for i in range(n)})


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="output directory (models/grokking-moe)")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--save-steps", type=parse_steps, default=None,
                   help="comma-separated steps to checkpoint (0 = initialization); default 21 evenly spaced, 0..--steps")
    p.add_argument("--eval-every", type=int, default=25, help="test-split evaluation interval (steps)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--domains", type=parse_domains, default=list(DOMAINS), metavar="D,...",
                   help="domains to train on (default: all three); splits are the same whichever are chosen")
    p.add_argument("--no-control-probes", action="store_true",
                   help="do not write probe sets of the untrained domains (controls: text the model never learns)")
    # optimization
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=1.0)
    p.add_argument("--weight-decay-from", type=parse_weight_decay_changes, default=[(400, 2.0)], metavar="STEP:WD,...",
                   help="raise (or lower) the weight decay from a step on (default 400:2.0; '' for none): memorize "
                        "under a light decay, then let a stronger one drive generalization")
    p.add_argument("--lr-from", type=parse_lr_changes, default=[(400, 2e-3)], metavar="STEP:LR,...",
                   help="change the peak learning rate from a step on (default 400:2e-3; '' for none)")
    p.add_argument("--beta2", type=float, default=0.98)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--batch-size", type=int, default=0, help="sequences per domain per step; 0 = full batch")
    # model
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--intermediate", type=int, default=32)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--experts", type=int, default=8)
    p.add_argument("--top-k", type=int, default=2)
    p.add_argument("--aux-coef", type=float, default=0.01)
    p.add_argument("--loss-on", choices=("all", "answer"), default="answer",
                   help="supervise every token (pretraining-like) or only the answer after '='")
    # tasks
    p.add_argument("--math-p", type=int, default=TaskConfig.math_p)
    p.add_argument("--math-ops", default="".join(TaskConfig.math_ops), help="operations, e.g. '+-*'")
    p.add_argument("--math-frac", type=float, default=TaskConfig.math_train_frac)
    p.add_argument("--code-q", type=int, default=TaskConfig.code_q)
    p.add_argument("--code-frac", type=float, default=TaskConfig.code_train_frac)
    p.add_argument("--kn-entities", type=int, default=TaskConfig.kn_entities)
    p.add_argument("--kn-relations", type=int, default=TaskConfig.kn_relations)
    p.add_argument("--kn-frac", type=float, default=TaskConfig.kn_train_frac)
    p.add_argument("--probes", type=int, default=300, help="probe samples per domain")
    # grokwatch
    p.add_argument("--grokwatch-url", default=None, help="e.g. http://localhost:4000/graphql")
    p.add_argument("--grokwatch-run", default=None, help="grokwatch run id to register checkpoints under")
    p.add_argument("--grokwatch-probe-set", action="append", default=[], metavar="ID",
                   help="record this probe set's routing in this process at every checkpoint (repeatable), "
                        "instead of announcing the folder for grokwatch to capture")
    p.add_argument("--no-plot", action="store_true")
    return p


def setup_torch(seed: int, threads: int) -> None:
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def make_optimizer(model: OlmoeForCausalLM, args: argparse.Namespace) -> torch.optim.AdamW:
    # Weight decay on every parameter, norm gains included: excluding them measurably slowed
    # generalization in the exploratory runs (see trainer/README.md).
    return torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, args.beta2),
                             weight_decay=args.weight_decay)


def run(args: argparse.Namespace) -> dict:
    setup_torch(args.seed, args.threads)
    out = os.path.abspath(args.out)
    task_cfg = TaskConfig(math_p=args.math_p, math_ops=tuple(args.math_ops), math_train_frac=args.math_frac, code_q=args.code_q,
                          code_train_frac=args.code_frac, kn_entities=args.kn_entities,
                          kn_relations=args.kn_relations, kn_train_frac=args.kn_frac, seed=args.seed)
    splits = build_splits(task_cfg)  # every domain, so a domain's split does not depend on which others train
    vocab = Vocab.build(vocabulary(task_cfg))
    domains: List[str] = args.domains
    train = {d: splits[d].train for d in domains}
    test = {d: splits[d].test for d in domains}
    longest = max(len(ex.prompt) + 2 for d in domains for ex in train[d] + test[d])
    cfg = MoeConfig(vocab_size=len(vocab), hidden_size=args.hidden, intermediate_size=args.intermediate,
                    num_hidden_layers=args.layers, num_attention_heads=args.heads, num_key_value_heads=args.heads,
                    num_experts=args.experts, num_experts_per_tok=args.top_k, router_aux_loss_coef=args.aux_coef,
                    max_position_embeddings=max(32, longest), pad_token_id=vocab.pad_id, bos_token_id=vocab.bos_id,
                    eos_token_id=vocab.eos_id)
    model = OlmoeForCausalLM(cfg)
    model.train()
    opt = make_optimizer(model, args)
    target = GrokwatchTarget.from_args(args.grokwatch_url, args.grokwatch_run)
    if args.grokwatch_probe_set and target is None:
        raise SystemExit("--grokwatch-probe-set needs --grokwatch-url and --grokwatch-run")
    client = None if not args.grokwatch_probe_set else GrokwatchClient(target.url, target.api_key)
    # The probe rows are read once, before training: a grokwatch that is down here stops the run
    # at once rather than leaving it unmonitored; later sends never stop it.
    recorders = [(ps, RoutingRecorder.for_probe_set(model, client, ps, tokenize=lambda text: vocab.encode(text.split())))
                 for ps in args.grokwatch_probe_set]
    save_steps = set(args.save_steps if args.save_steps is not None else default_save_steps(args.steps))

    ckpt_root = os.path.join(out, "checkpoints")
    if os.path.isdir(ckpt_root):
        shutil.rmtree(ckpt_root)  # a rerun replaces the whole series, never mixes two
    write_tokenizer(out, vocab)
    write_data_files(out, train, test, args.probes, args.seed)
    # The untrained domains' training samples, as probes the model never learns: a control group whose
    # pathways drift only with the model as a whole (grokwatch judges a group against its controls).
    controls = [] if args.no_control_probes else [d for d in DOMAINS if d not in domains]
    write_control_probes(out, {d: splits[d].train for d in controls}, args.probes, args.seed)
    train_blocks = {d: make_block(d, train[d], vocab) for d in domains}
    test_blocks = [make_block(d, test[d], vocab) for d in domains]
    gen = torch.Generator().manual_seed(args.seed + 1)
    samplers = {d: EpochSampler(len(train_blocks[d]), args.batch_size or len(train_blocks[d]), gen)
                for d in domains}
    # Parity cases span every domain, trained or not: they check the forward, not the task.
    cases = pick_cases({d: splits[d].train for d in DOMAINS}, {d: splits[d].test for d in DOMAINS})
    n_params = sum(p.numel() for p in model.parameters())
    log.info("model: %d parameters; train %s; test %s", n_params,
             {d: len(train[d]) for d in domains}, {d: len(test[d]) for d in domains})

    manifest = {
        "name": "grokking-moe",
        "format": "huggingface OlmoeForCausalLM, float32 safetensors",
        "parameters": n_params,
        "config": asdict(cfg),
        "tokenizer": "tokenizer.json",
        "train_log": "train-log.jsonl",
        "curves": "curves.png",
        "reference": "checkpoints/step<N>/reference.safetensors (see trainer/reference.py)",
        "domains": [{"name": d, "groups": sorted({ex.group for ex in train[d]}),
                     "probes": f"probes/{d}.jsonl", "suite": f"suites/{d}.jsonl",
                     "train_suite": f"suites/{d}-train.jsonl",
                     "n_train": len(train[d]), "n_test": len(test[d])} for d in domains],
        "controls": [{"name": d, "probes": f"probes/{d}.jsonl"} for d in controls],
        "tasks": asdict(task_cfg),
        "training": {k: v for k, v in vars(args).items() if k not in ("out", "grokwatch_url", "grokwatch_run", "grokwatch_probe_set")},
        "checkpoints": [],
    }
    log_rows: List[dict] = []
    log_path = os.path.join(out, "train-log.jsonl")
    log_file = open(log_path + ".tmp", "w")
    tokens_seen = 0
    t_start = time.time()

    def save(step: int, lr: Optional[float], wd: Optional[float]) -> None:
        directory = os.path.join(ckpt_root, f"step{step}")

        def extra_files(tmp: str) -> None:
            write_reference(os.path.join(tmp, "reference.safetensors"), model, cases, vocab)
            write_trainer_state(tmp, step, lr, wd)
            write_tokenizer(tmp, vocab)

        write_checkpoint(directory, model, extra_files)
        manifest["checkpoints"].append({"step": step, "tokensSeen": float(tokens_seen),
                                        "dir": f"checkpoints/step{step}"})
        write_json(os.path.join(out, "manifest.json"), manifest)
        log.info("step %d: checkpoint written to %s", step, directory)
        if recorders:
            settings = {k: v for k, v in (("learningRate", lr), ("weightDecay", wd)) if v is not None}
            for probe_set, recorder in recorders:
                recorder.record(client, target.run_id, step, probe_set, tokens_seen=tokens_seen, hyperparameters=settings or None)
        elif target is not None:
            announce_checkpoint(target, step, tokens_seen, directory, learning_rate=lr, weight_decay=wd)

    if 0 in save_steps:
        save(0, None, None)  # no update has happened yet
    for step in range(1, args.steps + 1):
        lr = lr_at(step, args)
        wd = value_at(step, args.weight_decay, args.weight_decay_from)
        for group in opt.param_groups:
            group["lr"] = lr
            group["weight_decay"] = wd
        opt.zero_grad(set_to_none=True)
        row: dict = {"step": step, "lr": lr, "weight_decay": wd, "train_loss": {}, "train_acc": {}}
        for d in domains:
            batch = train_blocks[d].take(samplers[d].next())
            stats = block_forward(model, batch, answer_only=args.loss_on == "answer")
            ((stats.loss + cfg.router_aux_loss_coef * stats.aux) / len(domains)).backward()
            row["train_loss"][d] = round(float(stats.loss), 5)
            row["train_acc"][d] = round(stats.n_correct / stats.n_examples, 5)
            row.setdefault("aux_loss", 0.0)
            row["aux_loss"] += float(stats.aux) / len(domains)
            tokens_seen += int(batch.lengths.sum())
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        row["aux_loss"] = round(row["aux_loss"], 5)
        row["grad_norm"] = round(float(grad_norm), 5)
        row["tokens_seen"] = tokens_seen
        if step % args.eval_every == 0 or step == 1 or step in save_steps or step == args.steps:
            ev = evaluate(model, test_blocks)
            row["test_acc"] = {d: round(v, 5) for d, v in ev.acc.items()}
            row["test_loss"] = {d: round(v, 5) for d, v in ev.loss.items()}
            row["test_answer_loss"] = {d: round(v, 5) for d, v in ev.answer_loss.items()}
            row["test_acc_by_group"] = {g: round(v, 5) for g, v in ev.acc_by_group.items()}
        row["elapsed_s"] = round(time.time() - t_start, 2)
        log_rows.append(row)
        log_file.write(json.dumps(row, separators=(",", ":")) + "\n")
        log_file.flush()
        if "test_acc" in row:
            log.info("step %d  %.0fs  train_acc %s  test_acc %s", step, row["elapsed_s"], row["train_acc"],
                     row["test_acc"])
        if step in save_steps:
            save(step, lr, wd)
    log_file.close()
    os.replace(log_path + ".tmp", log_path)
    summary = summarize(log_rows, manifest["checkpoints"])
    summary["train_seconds"] = round(time.time() - t_start, 1)
    summary["threads"] = args.threads
    if client is not None:
        # Whatever is still queued gets a minute; grokwatch being slow or down does not hold the run longer.
        if not client.flush(timeout=60):
            log.warning("grokwatch: some recorded routing was still unsent after 60 s")
        summary["grokwatch"] = {"sent": client.sent, "dropped": client.dropped}
    write_json(os.path.join(out, "summary.json"), summary)
    if not args.no_plot:
        from plot import plot_curves  # matplotlib only when plotting
        plot_curves(log_rows, os.path.join(out, "curves.png"), [c["step"] for c in manifest["checkpoints"]],
                    answer_only=args.loss_on == "answer")
    log.info("done in %.0fs: %s", summary["train_seconds"], json.dumps(summary["domains"]))
    return summary


def main(argv: Optional[Sequence[str]] = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = build_parser().parse_args(argv)
    run(args)


if __name__ == "__main__":
    main(sys.argv[1:])
