"""The column page's words for what :mod:`commentary` measures and holds: the citation line, the retelling note,
a reported fact's daily prints and the method box's paragraph on when each value is observed (catalogs
``catalog/*/column.toml``, ``catalog/*/timeline.toml``).

The domain returns numbers (:class:`commentary.scoring.facts.FactCheck`,
:class:`commentary.timeline.evidence.LeadLag`); this module words them in the language passed in.
"""

from __future__ import annotations

from catalog import text
from commentary.document.model import Commentary
from commentary.scoring.facts import FactCheck
from commentary.text.formatting import fmt_number
from commentary.text.safe_text import md_escape
from commentary.timeline.evidence import LeadLag
from data_sources.market.universe import instrument
from ui.words import words

READER_ZONE = "Asia/Seoul"  # the column's readers: print times are shown in Seoul time
OUTCOME_KEYS: dict[str, str] = {
    "seen": "timeline.fact_seen",
    "not seen": "timeline.fact_not_seen",
    "no data": "timeline.fact_no_data",
}

ZONE_KEYS: dict[str, str] = {"Asia/Seoul": "column.zone.seoul", "America/New_York": "column.zone.new_york"}


def _with_rendering(original: str, rendering: str, lang: str) -> str:
    if not rendering:
        return original
    return text(lang, "column.with_rendering", original=original, rendering=md_escape(rendering))


def citation(item: Commentary, lang: str) -> str:
    """The column's title, author and date in one Markdown line (escaped); an English page shows the original
    title and author with their English rendering beside them."""
    title, author = item.rendering(lang)
    return text(lang, "column.citation", title=_with_rendering(md_escape(item.title_in(lang)), title, lang),
                author=_with_rendering(md_escape(item.author_name(lang)), author, lang),
                date=words(lang).date(item.date))


def zone_name(zone: str, lang: str) -> str:
    """A time zone as readers say it ("서울 시각"), not its IANA code."""
    if zone in ZONE_KEYS:
        return text(lang, ZONE_KEYS[zone])
    return text(lang, "column.zone.other", zone=zone.rsplit("/", 1)[-1].replace("_", " "))


def retelling(item: Commentary, lang: str) -> str:
    """The note under the column's summary: our own retelling, the original's citation and the reference moment."""
    title, author = item.rendering(lang)
    moment = item.published.tz_convert(item.timezone)
    return text(lang, "column.retelling", title=_with_rendering(md_escape(item.title_in(lang)), title, lang),
                author=_with_rendering(md_escape(item.author_name(lang)), author, lang),
                date=words(lang).date(item.date), moment=f"{moment:%Y-%m-%d %H:%M}",
                zone=zone_name(item.timezone, lang))


def series_name(symbol: str, lang: str) -> str:
    """A series' name for readers ("원/달러 (야후)"), never its code; the code only for a series we do not list."""
    found = instrument(symbol)
    return found.name(lang) if found is not None else symbol


def fact_line(check: FactCheck, lang: str) -> str:
    """One line: the source, its prints in the window with the Seoul time each was taken, and the outcome."""
    shown = []
    for i, (day, value) in enumerate(check.prints):
        if i < len(check.taken):
            local = check.taken[i].tz_convert(READER_ZONE)
            when = local.strftime("%H:%M") if local.strftime("%Y-%m-%d") == day else local.strftime("%m-%d %H:%M")
            shown.append(text(lang, "timeline.fact_print", date=day, value=fmt_number(value, 2), time=when))
        else:
            shown.append(f"{day} {fmt_number(value, 2)}")
    return text(lang, "timeline.fact_line", symbol=series_name(check.symbol, lang), prints=", ".join(shown) or "—",
                outcome=text(lang, OUTCOME_KEYS[check.outcome]))


def observation_paragraph(lang: str, evidence: LeadLag | None = None) -> str:
    """The method box's Markdown on observation times; with ``evidence`` (Yahoo's KRW=X against the ECB's fixing)
    that says the previous day, the measured figures too."""
    out = text(lang, "timeline.method_observation")
    if evidence is not None and evidence.previous_day:
        out += " " + text(lang, "timeline.method_observation_evidence", days=f"{evidence.days:,}",
                          first=evidence.first.isoformat(), last=evidence.last.isoformat(),
                          gap_prev=f"{evidence.gap_prev:.2f}", gap_same=f"{evidence.gap_same:.2f}",
                          corr_prev=f"{evidence.corr_prev:.2f}", corr_same=f"{evidence.corr_same:.2f}",
                          halves=evidence.halves, halves_agree=evidence.halves_agree)
    return out
