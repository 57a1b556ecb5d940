"""Draft claims from a column's text, offline and without a language model.

``propose(text, published)`` returns :class:`Proposal` records (rule, params, symbols, horizon, the
sentence and the spans to highlight); ``extract`` also returns notes on what was skipped.  The
names, words and patterns it uses are data in ``rules.toml``.  A server runs it through
:mod:`commentary.extract.worker` (a separate, bounded process with a time budget); the command line runs it here.
"""

from commentary.extract.extractor import extract, propose
from commentary.extract.model import ExtractError, Extraction, Horizon, Proposal, Span

__all__ = ["ExtractError", "Extraction", "Horizon", "Proposal", "Span", "extract", "propose"]
