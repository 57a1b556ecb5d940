"""Verdicts, their odds and authors' track records in a reader's words (catalog ``catalog/*/odds.toml``).

The numbers come from :mod:`commentary.scoring` (readings, combined rows) and
:mod:`commentary.library.track_record`; this module only words them, in the language passed in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from catalog import text
from commentary.library.track_record import ALPHA, SMALL_SAMPLE
from commentary.scoring import odds
from commentary.scoring.grid import CHIP_MARKS, scorecard_grid
from commentary.scoring.summary import claim_lines as plain_claim_lines
from commentary.scoring.summary import detail_text, primary_verdicts, source_label, verdict_counts
from commentary.scoring.summary import format_measured as _format_measured
from commentary.scoring.summary import verdict_label as _verdict_label
from ui.words import words

if TYPE_CHECKING:
    from commentary.document.model import Claim
    from data_sources.errors import Problem

CALL_KEYS: dict[str, str] = {"easy": "odds.call.easy", "strong": "odds.call.strong",
                             "long shot": "odds.call.long_shot", "toss-up": "odds.call.toss_up"}
STRENGTH_KEYS: dict[str, str] = {"clear": "odds.strength.clear", "narrow": "odds.strength.narrow",
                                 "n/a": "odds.strength.unknown"}
_PARTS: dict[tuple[str, str], str] = {
    ("easy", "held"): "odds.part.easy_held", ("easy", "failed"): "odds.part.easy_failed",
    ("strong", "held"): "odds.part.strong", ("long shot", "failed"): "odds.part.long_shot",
    ("toss-up", "held"): "odds.part.toss_up", ("toss-up", "failed"): "odds.part.toss_up",
}
#: (largest window in days, count key, share key): how a window's length is named.
_SPANS: tuple[tuple[int, str, str], ...] = (
    (4, "odds.count.days", "odds.share.days"), (10, "odds.count.week", "odds.share.week"),
    (27, "odds.count.days", "odds.share.days"), (36, "odds.count.month", "odds.share.month"),
    (84, "odds.count.days", "odds.share.days"), (100, "odds.count.quarter", "odds.share.quarter"),
    (174, "odds.count.days", "odds.share.days"), (192, "odds.count.half", "odds.share.half"),
    (299, "odds.count.days", "odds.share.days"), (380, "odds.count.year", "odds.share.year"),
)
#: With this many windows or more a share reads as a percentage ("56% of 205 past weeks"), below as a count.
SHARE_FROM = 20
_RECORD_KEYS: dict[str, str] = {"better": "odds.record.better", "worse": "odds.record.worse"}
def verdict_label(code: str, lang: str) -> str:
    """A verdict state in the reader's words ("held", "출처에 따라 다름"); an unknown code as itself."""
    return _verdict_label(code, words(lang))


def source_name(code: str, lang: str) -> str:
    """A price source's name ("Yahoo", "야후")."""
    return source_label(code, words(lang))


def format_measured(value: float | None, unit: str, lang: str) -> str:
    """A measurement with its unit in the reader's words ("+5.2 pp", "+5.2%p")."""
    return _format_measured(value, unit, words(lang))


def detail_line(detail: Problem | None, lang: str) -> str:
    """What a reading measured, in the reader's words (:func:`commentary.scoring.summary.detail_text`)."""
    return detail_text(detail, words(lang))


def verdict_tally(verdicts: Sequence[str], lang: str) -> str:
    """The verdicts counted, short: "held 1 · failed 3 · source-dependent 1" (the Library); "—" for none."""
    return " · ".join(text(lang, "odds.tally.part", verdict=verdict_label(v, lang), n=n)
                      for v, n in verdict_counts(verdicts)) or "—"


def overall_line(claims: Sequence[Claim], combined: pd.DataFrame, lang: str) -> str:
    """"5 claims, each judged on its primary horizon: 1 held, 3 failed, 1 source-dependent." (zero counts out)."""
    verdicts = primary_verdicts(claims, combined)
    parts = ", ".join(text(lang, "odds.overall.part", verdict=verdict_label(v, lang), n=n)
                      for v, n in verdict_counts(verdicts))
    return text(lang, "odds.overall.line", n=len(verdicts), parts=parts)


def chip(row: pd.Series | Mapping, lang: str) -> str:
    """A scorecard cell: its coloured mark, verdict and measurement ("🔴 failed -4.2 pp"); a source-dependent one
    names each source's ("🟠 source-dependent (Yahoo held +0.54% / ECB failed +1.10%)")."""
    verdict = row["verdict"]
    said = f"{CHIP_MARKS.get(verdict, '')} {verdict_label(verdict, lang)}"
    if verdict == "source-dependent":
        values = dict(row.get("measured_by_source") or {})
        said += " (" + " / ".join(f"{source_name(s, lang)} {verdict_label(v, lang)} "
                                  f"{format_measured(values.get(s), row['unit'], lang)}"
                                  for s, v in dict(row["by_source"]).items()) + ")"
    elif verdict in ("held", "failed"):
        said += f" {format_measured(row['measured'], row['unit'], lang)}"
    return said.strip()


def grid(claims: Sequence[Claim], combined: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard grid in the reader's words (:func:`commentary.scoring.grid.scorecard_grid`)."""
    headers = {"claim": text(lang, "odds.grid.claim"), "primary": text(lang, "odds.grid.primary"),
               "overlap": text(lang, "odds.grid.overlap", horizon="{horizon}")}  # filled in per horizon
    return scorecard_grid(claims, combined, words(lang), lambda row: chip(row, lang), headers)


def call_label(code: str, lang: str) -> str:
    """"easy call", "toss-up", … ("" without a call)."""
    return text(lang, CALL_KEYS[code]) if code in CALL_KEYS else ""


def strength_label(code: str, lang: str) -> str:
    """"clear margin" / "narrow margin" / "margin unknown"."""
    return text(lang, STRENGTH_KEYS.get(code, "odds.strength.unknown"))


def window_count(share: float, windows: int, days: int, lang: str) -> str:
    """A share of past windows in words: "1 of 4 past years", or "56% of 205 past weeks" with many windows."""
    count_key, share_key = next(((c, s) for top, c, s in _SPANS if days <= top), ("odds.count.days", "odds.share.days"))
    if windows >= SHARE_FROM:
        return text(lang, share_key, pct=f"{share * 100:.0f}", n=windows, days=days)
    return text(lang, count_key, k=round(share * windows), n=windows, days=days)


def _extreme_key(rule: str, favour_up: bool | None) -> str:
    if rule == "no_move":
        return "odds.extreme.calm"
    if rule == "outperform":
        return "odds.extreme.lead"
    if rule == "direction":
        return "odds.extreme.up" if favour_up else "odds.extreme.down"
    return "odds.extreme.level"


def verdict_phrase(row: pd.Series | Mapping, lang: str, rule: str = "", favour_up: bool | None = None) -> str:
    """A combined row in words, one clause of odds: "failed -4.2 pp · long shot (held in only 1 of 4 past
    years)", "held +0.54% · but an easy call (held in 60% of 43 past weeks)"; a held toss-up says how rare its
    result was instead: "held +17.49% (a rise this big or bigger: 1 of 4 past years)".

    ``rule`` is the claim's rule type and ``favour_up`` whether a higher result favours it (for the
    "this big or bigger" part); a source-dependent row names each source's verdict and odds.
    """
    verdict = row["verdict"]
    label = verdict_label(verdict, lang)
    if verdict == "source-dependent":
        values = dict(row.get("measured_by_source") or {})
        rates = dict(row.get("base_rate_by_source") or {})
        names = {s: source_name(s, lang) for s in dict(row["by_source"])}
        parts = ", ".join(f"{names[s]} {verdict_label(v, lang)} {format_measured(values.get(s), row['unit'], lang)}"
                          for s, v in dict(row["by_source"]).items())
        shares = ", ".join(f"{names[s]} {r * 100:.0f}%" for s, r in rates.items() if math.isfinite(r))
        return text(lang, "odds.by_source", verdict=label, parts=parts, shares=shares or "—")
    if verdict not in ("held", "failed"):
        return label
    measured = format_measured(row["measured"], row["unit"], lang)
    rate, windows, days = float(row["base_rate"]), int(row["independent_windows"]), int(row["window_days"])
    if not math.isfinite(rate) or (row["call"], verdict) not in _PARTS:
        return text(lang, "odds.line.bare", verdict=label, measured=measured, note=text(lang, "odds.no_odds"))
    extreme = float(row.get("as_extreme", math.nan))
    if (row["call"], verdict) == ("toss-up", "held") and math.isfinite(extreme):  # the size of the result says more
        said = text(lang, _extreme_key(rule, favour_up), count=window_count(extreme, windows, days, lang))
        return text(lang, "odds.line.extreme", verdict=label, measured=measured, extreme=said)
    part = text(lang, _PARTS[(row["call"], verdict)], base=window_count(rate, windows, days, lang))
    return text(lang, "odds.line.call", verdict=label, measured=measured, part=part)


def claim_lines(claims: Sequence[Claim], combined: pd.DataFrame, lang: str) -> list[tuple[str, str, str]]:
    """``(claim text, primary horizon label, verdict phrase with its odds)`` per claim, in claim order."""
    rules = {c.id: c for c in claims}

    def phrase(row: pd.Series) -> str:
        claim = rules[row["claim_id"]]
        favour = odds.favours_higher(odds.Target(claim.rule)) if claim.rule.type == "direction" else None
        return verdict_phrase(row, lang, claim.rule.type, favour)

    return plain_claim_lines(claims, combined, words(lang), phrase, verdict_label("no data", lang))


def odds_cell(row: pd.Series | Mapping, lang: str) -> str:
    """A scorecard cell: "toss-up · 50% of 4" ("—" without odds)."""
    rate = float(row.get("base_rate", math.nan))
    if not math.isfinite(rate) or not row.get("call"):
        return "—"
    return text(lang, "odds.grid.cell", call=call_label(row["call"], lang), pct=f"{rate * 100:.0f}",
                n=int(row["independent_windows"]))


def _held(value: float) -> str:
    return f"{value:.1f}" if value % 1 else f"{value:.0f}"


def record_lines(record: Mapping, author: str, lang: str) -> list[str]:
    """An author's record in plain sentences (trusted Markdown except ``author``, which the caller escapes)."""
    lines = [text(lang, "odds.record.head", author=author, columns=record["columns"], claims=record["claims"])]
    n = int(record["n"])
    if n == 0:
        lines.append(text(lang, "odds.record.unrated"))
    else:
        held, expected = float(record["held"]), float(record["expected"])
        above = held >= expected
        key = _RECORD_KEYS.get(str(record["finding"]), "odds.record.none_above" if above else "odds.record.none_below")
        share = record["p_value"] if key in ("odds.record.better", "odds.record.none_above") else record["p_as_bad"]
        lines.append(text(lang, key, held=_held(held), n=n, expected=f"{expected:.1f}", pct=f"{share * 100:.0f}"))
        if int(record["groups"]) < n:
            lines.append(text(lang, "odds.record.groups", n=n, groups=int(record["groups"])))
        if n < SMALL_SAMPLE:
            lines.append(text(lang, "odds.record.small", n=n, limit=SMALL_SAMPLE))
    if int(record["pending"]) or int(record["unrated"]):
        lines.append(text(lang, "odds.record.waiting", pending=int(record["pending"]), unrated=int(record["unrated"])))
    return lines


def method_parts(lang: str) -> tuple[str, str]:
    """``(title, body)`` of the method section (trusted Markdown), the thresholds filled in from the code."""
    body = text(lang, "odds.method.body", min_windows=odds.MIN_WINDOWS, easy=f"{odds.EASY * 100:.0f}",
                hard=f"{odds.HARD * 100:.0f}", easy_ratio=f"{1 / odds.EASY:.1f}", hard_ratio=f"{1 / odds.HARD:.1f}",
                alpha=f"{ALPHA * 100:.0f}")
    return text(lang, "odds.method.title"), body.strip()


def summary_hint(lang: str) -> str:
    """The one-line key to the call labels under the verdict summary."""
    return text(lang, "odds.summary.hint", easy=f"{odds.EASY * 100:.0f}", hard=f"{odds.HARD * 100:.0f}")
