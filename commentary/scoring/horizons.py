"""A claim's horizons: fixed offsets from publication (context, overlapping) and calendar horizons.

Written in a column's front matter as a list; each item is one of

* ``1W``, ``1M``, ``3M``, ``6M``, ``12M`` — a fixed offset from the publication date.  These windows
  share their start, so they overlap: they are context, not independent evidence;
* ``year-end`` — 31 December of the publication year;
* ``YTD`` — the publication year's calendar return: from the previous year's last print to 31
  December (it includes the moves before publication, so it describes the year, not the call);
* ``"YYYY-MM-DD"`` — an explicit end date;
* ``{id: holiday-week, end: "2025-01-31", label_ko: ..., label_en: ...}`` — an explicit, named end.

A horizon ends on a calendar date; each series is read at its last print dated on or before it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from commentary.words import Words
from data_sources.errors import Problem

OFFSETS: dict[str, pd.DateOffset] = {
    "1W": pd.DateOffset(weeks=1),
    "1M": pd.DateOffset(months=1),
    "3M": pd.DateOffset(months=3),
    "6M": pd.DateOffset(months=6),
    "12M": pd.DateOffset(months=12),
}
#: How readers name a built-in horizon (catalog keys; a Korean page never shows "1W"/"1M"); ``year-end`` and
#: ``YTD`` take the year.
HORIZON_KEYS: dict[str, str] = {
    "1W": "scoring_words.horizon.1W", "1M": "scoring_words.horizon.1M", "3M": "scoring_words.horizon.3M",
    "6M": "scoring_words.horizon.6M", "12M": "scoring_words.horizon.12M",
    "year-end": "scoring_words.horizon.year_end", "YTD": "scoring_words.horizon.ytd",
}
CALENDAR_NAMES: tuple[str, ...] = ("year-end", "YTD")
MAX_YEARS_AHEAD = 30  # an end date further than this after publication is a typo, not a forecast
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Horizon:
    """One horizon of a claim: its id, its end date and whether it counts from the previous year-end."""

    id: str
    kind: str  # "offset" | "calendar"
    end: dt.date
    from_year_start: bool = False
    label_ko: str = ""  # an explicit horizon's own names, as its author wrote them (content, not wording)
    label_en: str = ""

    @property
    def overlapping(self) -> bool:
        """Fixed offsets share their start with each other: context, not independent evidence."""
        return self.kind == "offset"

    def label(self, words: Words) -> str:
        """A reader's name for the horizon: a built-in one's from the catalog, an explicit one's as its author
        named it in the reader's language (else its id)."""
        if self.id in HORIZON_KEYS:  # built-in ids are reserved: an explicit horizon cannot take one
            return words(HORIZON_KEYS[self.id], year=self.end.year)
        text = self.label_ko if words.language == "ko" else self.label_en
        return text or self.id


def _explicit(text: str, published: dt.date) -> dt.date | Problem:
    if not _DATE.match(text):
        return Problem("column_file.horizon_bad_date", {"value": text})
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return Problem("column_file.horizon_bad_date", {"value": text})
    if day < published:
        return Problem("column_file.horizon_before", {"day": day.isoformat(), "published": published.isoformat()})
    if day.year > published.year + MAX_YEARS_AHEAD:
        return Problem("column_file.horizon_too_far", {"day": day.isoformat(), "years": MAX_YEARS_AHEAD,
                                                       "published": published.isoformat()})
    return day


def parse_horizon(raw: Any, published: dt.date) -> Horizon | Problem:
    """A :class:`Horizon` from its front-matter form, or the problem with it (a code, ``column_file.horizon_*``)."""
    if isinstance(raw, str) and raw in OFFSETS:
        return Horizon(raw, "offset", (pd.Timestamp(published) + OFFSETS[raw]).date())
    if raw == "year-end":
        return Horizon("year-end", "calendar", dt.date(published.year, 12, 31))
    if raw == "YTD":
        return Horizon("YTD", "calendar", dt.date(published.year, 12, 31), from_year_start=True)
    if isinstance(raw, str) and _DATE.match(raw):
        end = _explicit(raw, published)
        return end if isinstance(end, Problem) else Horizon(raw, "calendar", end)
    if isinstance(raw, dict):
        hid, end_raw = raw.get("id"), raw.get("end")
        unknown = sorted(set(raw) - {"id", "end", "label_ko", "label_en"})
        if unknown:
            return Problem("column_file.horizon_unknown_fields", {"fields": ", ".join(map(str, unknown))})
        if not isinstance(hid, str) or not _ID.match(hid) or hid in OFFSETS or hid in CALENDAR_NAMES:
            return Problem("column_file.horizon_bad_id", {"value": str(hid)})
        if not isinstance(end_raw, str):
            return Problem("column_file.horizon_bad_date", {"value": str(end_raw)})
        end = _explicit(end_raw, published)
        if isinstance(end, Problem):
            return end
        return Horizon(hid, "calendar", end, label_ko=str(raw.get("label_ko") or ""),
                       label_en=str(raw.get("label_en") or ""))
    known = ", ".join([*OFFSETS, *CALENDAR_NAMES])
    return Problem("column_file.horizon_unknown", {"value": str(raw), "known": known})
