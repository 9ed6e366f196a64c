"""The committed data files around the checkpoints: tokenizer, probe sets, test suites, manifest.

probes/<domain>.jsonl        {"id", "text", "target", "group", "domain"}  training samples, balanced over groups;
                             target = [start, end) character offsets of the answer in text
suites/<domain>.jsonl        {"id", "prompt", "answer", "group", "domain"}  the held-out test split
suites/<domain>-train.jsonl  same, the training split
"""

from __future__ import annotations

import json
import os
import random
from typing import Dict, Iterable, List, Sequence, Tuple

from tasks import Example
from vocab import Vocab


def write_jsonl(path: str, rows: Iterable[dict]) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for row in rows:
            f.write(json.dumps(row, separators=(",", ":")) + "\n")
    os.replace(tmp, path)


def write_json(path: str, obj: object) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def probe_rows(examples: Sequence[Example], per_domain: int, seed: int) -> List[dict]:
    """Up to `per_domain` training samples, the same number from every group (as far as groups allow),
    in a seeded random order within each group."""
    groups: Dict[str, List[Example]] = {}
    for ex in examples:
        groups.setdefault(ex.group, []).append(ex)
    rng = random.Random(seed)
    quota = -(-per_domain // len(groups))
    chosen: List[Example] = []
    for name in sorted(groups):
        pool = list(groups[name])
        rng.shuffle(pool)
        chosen += pool[:quota]
    return [{"id": ex.id, "text": ex.text, "target": list(answer_span(ex)), "group": ex.group, "domain": ex.domain}
            for ex in chosen]


def answer_span(ex: Example) -> Tuple[int, int]:
    """[start, end) of the answer word in ex.text (prompt words, one space, the answer)."""
    end = len(ex.text)
    return end - len(ex.answer), end


def suite_rows(examples: Sequence[Example]) -> List[dict]:
    return [{"id": ex.id, "prompt": " ".join(ex.prompt), "answer": ex.answer, "group": ex.group,
             "domain": ex.domain} for ex in examples]


def write_tokenizer(out_dir: str, vocab: Vocab) -> None:
    write_json(os.path.join(out_dir, "tokenizer.json"), vocab.tokenizer_json())
    write_json(os.path.join(out_dir, "tokenizer_config.json"), vocab.tokenizer_config_json())
    write_json(os.path.join(out_dir, "special_tokens_map.json"),
               {"bos_token": "[BOS]", "eos_token": "[EOS]", "pad_token": "[PAD]", "unk_token": "[UNK]"})


def write_data_files(out_dir: str, train: Dict[str, List[Example]], test: Dict[str, List[Example]],
                     probes_per_domain: int, seed: int) -> None:
    for domain in train:
        write_jsonl(os.path.join(out_dir, "probes", f"{domain}.jsonl"),
                    probe_rows(train[domain], probes_per_domain, seed))
        write_jsonl(os.path.join(out_dir, "suites", f"{domain}.jsonl"), suite_rows(test[domain]))
        write_jsonl(os.path.join(out_dir, "suites", f"{domain}-train.jsonl"), suite_rows(train[domain]))


def write_control_probes(out_dir: str, examples: Dict[str, List[Example]], probes_per_domain: int, seed: int) -> None:
    """Probe sets of domains the run does not train on (no suites: nothing is expected of them)."""
    for domain, rows in examples.items():
        write_jsonl(os.path.join(out_dir, "probes", f"{domain}.jsonl"), probe_rows(rows, probes_per_domain, seed))
