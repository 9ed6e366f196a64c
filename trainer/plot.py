"""Curves PNG from train-log.jsonl: train and test answer accuracy per domain vs step (log x-axis),
with the checkpoint steps marked. Usable on its own: /usr/bin/python3 trainer/plot.py <log> <png>."""

from __future__ import annotations

import sys
from typing import Dict, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend must be chosen first)

from summary import read_log  # noqa: E402

COLORS = {"math": "tab:blue", "code": "tab:orange", "knowledge": "tab:green"}


def plot_curves(rows: Sequence[dict], png_path: str, checkpoint_steps: Sequence[int] = (),
                title: str = "grokking-moe", answer_only: bool = False) -> None:
    """answer_only: the train loss is the answer NLL, so the test answer NLL is drawn beside it."""
    fig, (ax_acc, ax_loss) = plt.subplots(2, 1, figsize=(10, 8), sharex=True,
                                          gridspec_kw={"height_ratios": [3, 1.4]})
    domains = list(rows[0]["train_acc"].keys())
    for d in domains:
        c = COLORS.get(d, None)
        steps = [r["step"] for r in rows]
        ax_acc.plot(steps, [r["train_acc"][d] for r in rows], color=c, lw=1.0, alpha=0.55, ls="--",
                    label=f"{d} train")
        ev = [r for r in rows if r.get("test_acc")]
        ax_acc.plot([r["step"] for r in ev], [r["test_acc"][d] for r in ev], color=c, lw=2.0, label=f"{d} test")
        ax_loss.plot(steps, [r["train_loss"][d] for r in rows], color=c, lw=1.0, alpha=0.7, ls="--",
                     label=f"{d} train")
        # Compare like with like: with answer-only training the train loss is the answer NLL.
        test_key = "test_answer_loss" if answer_only and "test_answer_loss" in ev[0] else "test_loss"
        ax_loss.plot([r["step"] for r in ev], [r[test_key][d] for r in ev], color=c, lw=1.5,
                     label=f"{d} test")
    for s in checkpoint_steps:
        ax_acc.axvline(s, color="0.85", lw=0.8, zorder=0)
    ax_acc.set_xscale("log")
    ax_acc.set_ylim(-0.02, 1.02)
    ax_acc.set_ylabel("answer accuracy")
    ax_acc.set_title(f"{title}: train (dashed) vs held-out test (solid); grey lines = checkpoints")
    ax_acc.grid(True, which="both", alpha=0.3)
    ax_acc.legend(ncol=3, fontsize=8, loc="center left")
    ax_loss.set_yscale("log")
    ax_loss.set_ylabel("answer NLL" if answer_only else "mean token NLL")
    ax_loss.set_xlabel("step (log scale)")
    ax_loss.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)
    plt.close(fig)


def main(argv: Sequence[str]) -> None:
    if len(argv) != 2:
        raise SystemExit("usage: plot.py <train-log.jsonl> <out.png>")
    rows = read_log(argv[0])
    plot_curves(rows, argv[1])


if __name__ == "__main__":
    main(sys.argv[1:])
