"""Who grokked when, read off the training log (pure: rows in, numbers out).

Per domain: memorized_step = first step with train accuracy >= 0.99; generalized_step = first
evaluated step with test accuracy >= 0.90; delayed = generalized_step >= 2 * memorized_step (the
acceptance criterion for "grokking"). Per group the same for test accuracy.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Dict, List, Optional, Sequence

MEMORIZED = 0.99
GENERALIZED = 0.90


def _first(rows: Sequence[dict], key: str, name: str, threshold: float) -> Optional[int]:
    for r in rows:
        value = (r.get(key) or {}).get(name)
        if value is not None and value >= threshold:
            return int(r["step"])
    return None


def summarize(rows: Sequence[dict], checkpoints: Sequence[dict]) -> dict:
    if not rows:
        raise ValueError("summarize: empty training log")
    domains = list(rows[0]["train_acc"].keys())
    evaluated = [r for r in rows if r.get("test_acc")]
    last = evaluated[-1] if evaluated else rows[-1]
    out: Dict[str, dict] = {}
    for d in domains:
        t1 = _first(rows, "train_acc", d, MEMORIZED)
        tg = _first(evaluated, "test_acc", d, GENERALIZED)
        out[d] = {
            "memorized_step": t1,
            "generalized_step": tg,
            "delay_ratio": round(tg / t1, 2) if t1 and tg else None,
            "grokked": bool(t1 and tg and tg >= 2 * t1),
            "final_train_acc": rows[-1]["train_acc"][d],
            "final_test_acc": (last.get("test_acc") or {}).get(d),
        }
    groups: Dict[str, dict] = {}
    names: List[str] = sorted((last.get("test_acc_by_group") or {}).keys())
    for g in names:
        groups[g] = {"generalized_step": _first(evaluated, "test_acc_by_group", g, GENERALIZED),
                     "final_test_acc": last["test_acc_by_group"][g]}
    return {
        "thresholds": {"memorized_train_acc": MEMORIZED, "generalized_test_acc": GENERALIZED},
        "domains": out,
        "groups": groups,
        "steps": int(rows[-1]["step"]),
        "checkpoint_steps": [int(c["step"]) for c in checkpoints],
    }


def read_log(path: str) -> List[dict]:
    """train-log.jsonl rows; a malformed line is named by path and line number."""
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{n}: not JSON: {err}") from err
    return rows


def checkpoint_table(rows: Sequence[dict], steps: Sequence[int]) -> List[str]:
    """Markdown table of train / test accuracy per domain at each step (step 0, which has no log row,
    reads as step 1): the table in models/grokking-moe/README.md."""
    evaluated = {int(r["step"]): r for r in rows if r.get("test_acc")}
    domains = list(rows[0]["train_acc"].keys())
    lines = ["| step | " + " | ".join(f"{d} train / test" for d in domains) + " |",
             "|---|" + "---|" * len(domains)]
    for step in steps:
        r = evaluated.get(max(step, 1))
        if r is None:
            raise ValueError(f"checkpoint_table: no evaluated log row at step {step}")
        cells = [f"{r['train_acc'][d]:.3f} / {r['test_acc'][d]:.3f}" for d in domains]
        lines.append(f"| {r['step']} | " + " | ".join(cells) + " |")
    return lines


def main(argv: Sequence[str]) -> None:
    """python3 trainer/summary.py <run dir>: the per-checkpoint table and who grokked when."""
    if len(argv) != 1:
        raise SystemExit("usage: summary.py <run dir (with train-log.jsonl and manifest.json)>")
    out = argv[0]
    rows = read_log(os.path.join(out, "train-log.jsonl"))
    with open(os.path.join(out, "manifest.json")) as f:
        checkpoints = json.load(f)["checkpoints"]
    print("\n".join(checkpoint_table(rows, [int(c["step"]) for c in checkpoints])))
    print(json.dumps(summarize(rows, checkpoints)["domains"], indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
