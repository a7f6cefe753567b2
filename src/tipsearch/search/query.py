"""A question read once: what every stage needs of it, worked out in one place and handed down.

    text          the question, clipped (text.clip)
    keywords      what the keyword list searches: the domain vocabulary added (vocabulary.expand), question
                  words out (text.keyword_text)
    terms         the question's own keyword words, lowercase, once each: what the gates and coverage count
    phrases       the same as the index's keyword phrases (store.query_words: Chinese as character pairs)
    references    the units it names ("recommendation 7", "para. 46", "PP 3")
    known         the share of terms some unit holds (0.5-1 for most English questions, 0 for a Russian one)
    vector        its vector by the index's model (MiniLM), and pieces, its word pieces in context
    multilingual  its vector by the multilingual model, where the index and this machine have it

`read` works out the text's part (no model); the pipeline then adds the vectors, one pass a model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tipsearch import text as texts
from tipsearch.index.store import Store, query_words
from tipsearch.models.embedders import Embedder, Pieces, can_read
from tipsearch.search import vocabulary


@dataclass(frozen=True)
class Query:
    text: str
    keywords: str = ""
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    references: tuple[texts.Reference, ...] = ()
    known: float = 0.0
    vector: np.ndarray | None = None
    pieces: Pieces | None = None
    multilingual: np.ndarray | None = None

    def __bool__(self) -> bool:
        return bool(self.text)


def read(question: str, store: Store | None = None, expand: bool = True, stopwords: bool = True) -> Query:
    """The question's text part: keywords, terms, references, and (given the store) the known share."""
    question = texts.clip(question)
    if not question:
        return Query("")
    own = texts.keyword_text(question)
    terms = tuple(dict.fromkeys(w.lower() for w in texts.words(own)))
    known = 0.0
    if store is not None and terms:
        known = sum(store.holds(w) for w in terms) / len(terms)
    keywords = texts.keyword_text(vocabulary.expand(question) if expand else question, stopwords)
    return Query(question, keywords, terms, tuple(query_words(own)), tuple(texts.references(question)), known)


def encoded(query: Query, embedder: Embedder, text: str | None = None) -> Query:
    """The query with its vector (and word pieces, where the model gives them) by embedder: one pass.
    text: what is embedded in its place (the expanded question, for a ranking that asks for it)."""
    if not query:
        return query
    what = text or query.text
    if can_read(embedder):
        vectors, (pieces,) = embedder.embed_pieces([what])
        return replace(query, vector=vectors[0], pieces=pieces)
    return replace(query, vector=embedder.embed([what])[0])
