"""The three synthetic pretraining domains, with train/test splits and named data groups.

Every example is one whitespace-tokenized sequence `<prompt ending in "="> <answer>`; the answer is a
single word, so accuracy is "argmax of the next-token distribution after `=` equals the answer".

- math:      `a o b = c`, c = (a o b) mod p, o in {+, -, *}.                 group = operation
- code:      straight-line programs over variables a, b, c whose arithmetic
             wraps mod q, e.g. `a = 3 ; b = a * 5 ; b = b + a ; b ? = 1`.     group = template
- knowledge: two-hop composition over a random fact graph (Wang et al. 2024,
             "Grokked transformers are implicit reasoners"): atomic facts
             `e3 r1 = e7` (all in training) and composed facts
             `e3 r1 r2 = e9` meaning r2(r1(e3)); some composed facts are in
             training, the rest held out.                                     group = hop1 | hop2-r<first relation>

Splits are drawn per group with a seeded RNG, so every group gets the same train fraction.
Pure functions: no I/O.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Dict, List, Sequence, Tuple

DOMAINS: Tuple[str, ...] = ("math", "code", "knowledge")


@dataclass(frozen=True)
class Example:
    id: str
    domain: str
    group: str
    prompt: Tuple[str, ...]  # ends with "="
    answer: str

    @property
    def text(self) -> str:
        return " ".join(self.prompt + (self.answer,))


@dataclass(frozen=True)
class TaskConfig:
    math_p: int = 31
    math_ops: Tuple[str, ...] = ("+", "-")
    math_train_frac: float = 0.6
    code_q: int = 17
    code_train_frac: float = 0.6
    kn_entities: int = 24
    kn_relations: int = 6
    kn_train_frac: float = 0.7
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("math_train_frac", "code_train_frac", "kn_train_frac"):
            v = getattr(self, name)
            if not 0.0 < v < 1.0:
                raise ValueError(f"{name} must be in (0, 1), got {v}")
        if self.math_p < 2 or self.code_q < 2:
            raise ValueError("moduli must be >= 2")
        unknown = [o for o in self.math_ops if o not in _MATH_OPS]
        if unknown:
            raise ValueError(f"unknown math operations {unknown}; known: {sorted(_MATH_OPS)}")


@dataclass(frozen=True)
class Split:
    train: List[Example]
    test: List[Example]


_MATH_OPS: Dict[str, Callable[[int, int, int], int]] = {
    "+": lambda a, b, p: (a + b) % p,
    "-": lambda a, b, p: (a - b) % p,
    "*": lambda a, b, p: (a * b) % p,
}
_OP_NAMES = {"+": "add", "-": "sub", "*": "mul"}


def _split_group(items: List[Example], frac: float, rng: random.Random) -> Tuple[List[Example], List[Example]]:
    order = list(items)
    rng.shuffle(order)
    n_train = round(len(order) * frac)
    return order[:n_train], order[n_train:]


def math_examples(p: int, ops: Sequence[str]) -> Dict[str, List[Example]]:
    groups: Dict[str, List[Example]] = {}
    for op in ops:
        name = _OP_NAMES[op]
        groups[name] = [
            Example(f"math-{name}-{a}-{b}", "math", name, (str(a), op, str(b), "="), str(_MATH_OPS[op](a, b, p)))
            for a in range(p) for b in range(p)
        ]
    return groups


# Code templates: (name, token list with A/B placeholders, result function). The result needs the
# program's data flow followed: `sub` reverses its operands, `twice` reassigns a variable.
_CODE_TEMPLATES: Tuple[Tuple[str, str, Callable[[int, int, int], int]], ...] = (
    ("add", "a = A ; b = a + B ; b ?", lambda x, y, q: (x + y) % q),
    ("sub", "a = A ; b = B ; c = b - a ; c ?", lambda x, y, q: (y - x) % q),
    ("twice", "a = A ; b = a + B ; b = b + a ; b ?", lambda x, y, q: (2 * x + y) % q),
)


def code_template_names() -> List[str]:
    return [name for name, _, _ in _CODE_TEMPLATES]


def code_examples(q: int) -> Dict[str, List[Example]]:
    groups: Dict[str, List[Example]] = {}
    for name, template, fn in _CODE_TEMPLATES:
        rows = []
        for x in range(q):
            for y in range(q):
                words = tuple(str(x) if w == "A" else str(y) if w == "B" else w for w in template.split())
                rows.append(Example(f"code-{name}-{x}-{y}", "code", name, words + ("=",), str(fn(x, y, q))))
        groups[name] = rows
    return groups


@dataclass(frozen=True)
class FactGraph:
    """tail[h][r] = the entity that relation r maps entity h to."""
    tail: Tuple[Tuple[int, ...], ...]

    @property
    def n_entities(self) -> int:
        return len(self.tail)

    @property
    def n_relations(self) -> int:
        return len(self.tail[0])


def make_fact_graph(n_entities: int, n_relations: int, rng: random.Random) -> FactGraph:
    if n_entities < 2 or n_relations < 1:
        raise ValueError(f"need >= 2 entities and >= 1 relation, got {n_entities}, {n_relations}")
    return FactGraph(tuple(tuple(rng.randrange(n_entities) for _ in range(n_relations)) for _ in range(n_entities)))


def knowledge_split(graph: FactGraph, frac: float, rng: random.Random) -> Split:
    """Atomic facts all train; composed facts split per first relation.

    As in Wang et al.'s in-distribution test, a held-out composed fact (h, r1, r2) stays in the test
    set only if both of its hops were seen inside training compositions: (h, r1) as a first hop and
    (bridge, r2) as a second hop. Otherwise no amount of training could reveal how the model should
    compose them, and it is moved to training instead (never silently dropped).
    """
    ent, rel = graph.n_entities, graph.n_relations
    atomic = [Example(f"kn-hop1-e{h}-r{r}", "knowledge", "hop1", (f"e{h}", f"r{r}", "="), f"e{graph.tail[h][r]}")
              for h in range(ent) for r in range(rel)]
    train: List[Example] = list(atomic)
    held: List[Tuple[int, int, int]] = []
    for r1 in range(rel):
        triples = [(h, r1, r2) for h in range(ent) for r2 in range(rel)]
        rng.shuffle(triples)
        n_train = round(len(triples) * frac)
        for h, a, b in triples[:n_train]:
            train.append(_composed(graph, h, a, b))
        held.extend(triples[n_train:])
    first_hops = set()
    second_hops = set()
    for ex in train:
        if ex.group != "hop1":
            h, r1, r2 = _parse_composed_id(ex.id)
            first_hops.add((h, r1))
            second_hops.add((graph.tail[h][r1], r2))
    test: List[Example] = []
    for h, r1, r2 in held:
        ex = _composed(graph, h, r1, r2)
        if (h, r1) in first_hops and (graph.tail[h][r1], r2) in second_hops:
            test.append(ex)
        else:
            train.append(ex)
    return Split(train, test)


def _composed(graph: FactGraph, h: int, r1: int, r2: int) -> Example:
    t = graph.tail[graph.tail[h][r1]][r2]
    return Example(f"kn-hop2-e{h}-r{r1}-r{r2}", "knowledge", f"hop2-r{r1}",
                   (f"e{h}", f"r{r1}", f"r{r2}", "="), f"e{t}")


def _parse_composed_id(example_id: str) -> Tuple[int, int, int]:
    _, _, e, a, b = example_id.split("-")
    return int(e[1:]), int(a[1:]), int(b[1:])


def build_splits(cfg: TaskConfig) -> Dict[str, Split]:
    """All three domains, deterministic in cfg.seed."""
    rng = random.Random(cfg.seed)
    out: Dict[str, Split] = {}
    for domain, groups, frac in (("math", math_examples(cfg.math_p, cfg.math_ops), cfg.math_train_frac),
                                 ("code", code_examples(cfg.code_q), cfg.code_train_frac)):
        train: List[Example] = []
        test: List[Example] = []
        for name in sorted(groups):
            tr, te = _split_group(groups[name], frac, rng)
            train += tr
            test += te
        out[domain] = Split(train, test)
    graph = make_fact_graph(cfg.kn_entities, cfg.kn_relations, rng)
    out["knowledge"] = knowledge_split(graph, cfg.kn_train_frac, rng)
    return out


def vocabulary(cfg: TaskConfig) -> List[str]:
    """Word list (without special tokens), fixed order so ids are stable for a given config."""
    words = [str(i) for i in range(max(cfg.math_p, cfg.code_q))]
    words += ["+", "-", "*", "=", ";", "?", "a", "b", "c"]
    words += [f"e{i}" for i in range(cfg.kn_entities)]
    words += [f"r{i}" for i in range(cfg.kn_relations)]
    return words
