"""Word-level vocabulary and its Hugging Face tokenizer.json (WordLevel model, Whitespace pre-tokenizer).

Ids: [PAD]=0, [BOS]=1, [EOS]=2, [UNK]=3, then the task words in a fixed order. The post-processor
prepends [BOS], which is how every training sequence starts, so `tokenizer.encode(text)` from
@huggingface/tokenizers gives exactly the ids the model was trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Sequence

SPECIALS = ("[PAD]", "[BOS]", "[EOS]", "[UNK]")


class VocabError(ValueError):
    pass


@dataclass(frozen=True)
class Vocab:
    words: tuple  # all tokens, index = id

    @staticmethod
    def build(task_words: Sequence[str]) -> "Vocab":
        dup = sorted({w for w in task_words if list(task_words).count(w) > 1})
        if dup:
            raise VocabError(f"duplicate vocabulary words: {dup}")
        bad = [w for w in task_words if w in SPECIALS or not w or any(ch.isspace() for ch in w)]
        if bad:
            raise VocabError(f"invalid vocabulary words (special, empty or containing whitespace): {bad}")
        return Vocab(tuple(SPECIALS) + tuple(task_words))

    @property
    def ids(self) -> Dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    @property
    def pad_id(self) -> int:
        return 0

    @property
    def bos_id(self) -> int:
        return 1

    @property
    def eos_id(self) -> int:
        return 2

    @property
    def unk_id(self) -> int:
        return 3

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, words: Sequence[str], where: str = "") -> List[int]:
        """[BOS] + word ids; an unknown word is an error (the tasks never produce one)."""
        table = self.ids
        missing = [w for w in words if w not in table]
        if missing:
            raise VocabError(f"unknown words {missing} in {where or ' '.join(words)!r}")
        return [self.bos_id] + [table[w] for w in words]

    def tokenizer_json(self) -> dict:
        added = [{"id": i, "content": w, "single_word": False, "lstrip": False, "rstrip": False,
                  "normalized": False, "special": True} for i, w in enumerate(SPECIALS)]
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added,
            "normalizer": None,
            # WhitespaceSplit splits on whitespace only, so symbol words such as "+" or "?" stay whole
            # and "e12" is never split into "e" and "12" (the Whitespace pre-tokenizer would split
            # word characters from punctuation, which our words never mix).
            "pre_tokenizer": {"type": "WhitespaceSplit"},
            "model": {"type": "WordLevel", "vocab": self.ids, "unk_token": "[UNK]"},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "[BOS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "[BOS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"[BOS]": {"id": "[BOS]", "ids": [self.bos_id], "tokens": ["[BOS]"]}},
            },
            "decoder": None,
        }

    def tokenizer_config_json(self) -> dict:
        return {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "bos_token": "[BOS]",
            "eos_token": "[EOS]",
            "pad_token": "[PAD]",
            "unk_token": "[UNK]",
            "add_bos_token": True,
            "add_eos_token": False,
            "clean_up_tokenization_spaces": False,
            "model_max_length": 64,
        }
