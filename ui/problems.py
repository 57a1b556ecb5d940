"""The data layer's problems (a code and parameters, :class:`data_sources.errors.Problem`) in the reader's words.

Every word comes from the catalogs (``catalog/<lang>/data.toml``: ``problem.<code>``, and ``short.<code>`` for a
banner's few words); nothing here reads or matches an English sentence. :func:`words` gives a page the short
form, the whole text and the technical detail: the English wording plus what the transport or a library said
(``detail``), which a Korean page folds under "기술 정보(원문)".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from catalog import describe, short
from data_sources.errors import DashboardError, Problem


@dataclass(frozen=True)
class Reason:
    """``short``: a few words for a banner; ``text``: the whole reason in the reader's language; ``detail``: the
    English wording with any technical detail (for the folded "technical detail")."""

    short: str
    text: str
    detail: str


def _items(found: Problem | DashboardError | Iterable[Problem] | None) -> list[Problem]:
    if found is None:
        return []
    if isinstance(found, DashboardError):
        return [found.problem]
    if isinstance(found, Problem):
        return [found]
    return [p.problem if isinstance(p, DashboardError) else p for p in found if p is not None]


def technical(problem: Problem) -> str:
    """The English wording of ``problem`` and, where the data layer kept it, what the transport or a library
    said (its ``detail``; a cause's detail too)."""
    details = [str(problem.params.get("detail") or "")]
    cause = problem.params.get("cause")
    if isinstance(cause, Problem):
        details.append(str(cause.params.get("detail") or ""))
    extra = "; ".join(d for d in details if d.strip())
    english = describe(problem, "en")
    return f"{english} ({extra})" if extra else english


def say(found: Problem | DashboardError | Iterable[Problem] | None, lang: str) -> str:
    """The whole text of one problem (or of several, joined) in ``lang``."""
    return "; ".join(describe(p, lang) for p in _items(found))


def words(found: Problem | DashboardError | Iterable[Problem] | None, lang: str) -> Reason:
    """A page's three forms of ``found`` (a problem, an error carrying one, or several problems)."""
    items = _items(found)
    if not items:
        return Reason("", "", "")
    return Reason(short(items[0], lang), say(items, lang), "; ".join(technical(p) for p in items))


def summary(parts: Iterable[Problem], lang: str) -> str:
    """A report's one-line summary (e.g. a news refresh: read, new, stored; feeds failed), joined in ``lang``."""
    return say(list(parts), lang)


def error_text(exc: BaseException, lang: str) -> str:
    """An exception in the reader's words when it carries a problem; any other exception's own message (the
    readers' database and commentary files still raise those)."""
    return say(exc, lang) if isinstance(exc, DashboardError) else str(exc)
