"""Search: the query pipeline over an opened generation: retrieve and fuse (retrieve), rerank by word pieces
(rerank), answers, filters, domain vocabulary, related units and the timeline, evaluation."""

from tipsearch.search.filters import Filters
from tipsearch.search.pipeline import Pipeline
from tipsearch.search.retrieve import MODES, RANKING, Ranking

__all__ = ["Filters", "MODES", "Pipeline", "RANKING", "Ranking"]
