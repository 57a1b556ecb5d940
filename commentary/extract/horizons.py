"""Horizon phrases ("올해", "다음 주", "by Q3", "목요일까지") resolved against the publication date."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from commentary.extract.model import Horizon
from commentary.extract.rules import HorizonRule, Rules

FIXED_MONTHS = {1: "1M", 3: "3M", 6: "6M", 12: "12M"}


@dataclass(frozen=True)
class HorizonHit:
    horizon: Horizon
    start: int
    end: int


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _group(m: re.Match[str], *names: str) -> str | None:
    for name in names:
        if name in m.re.groupindex and m.group(name):
            return m.group(name)
    return None


def _count(m: re.Match[str], rules: Rules) -> int:
    """The number of months or weeks a phrase names: digits (group n, n2) or a word (groups w, w2, w3)."""
    digits = _group(m, "n", "n2")
    if digits:
        return int(digits)
    word = _group(m, "w", "w2", "w3")
    return rules.number_words.get(word.lower(), 0) if word else 0


def _calendar(day: dt.date, published: dt.date | None, phrase: str) -> Horizon:
    if published is not None and day.year == published.year and (day.month, day.day) == (12, 31):
        return Horizon("calendar", "year-end", day, phrase)
    return Horizon("calendar", day.isoformat(), day, phrase)


def _next_year_if_past(day_of: callable, published: dt.date) -> dt.date:
    day = day_of(published.year)
    return day if day > published else day_of(published.year + 1)


def resolve(rule: HorizonRule, m: re.Match[str], published: dt.date | None, rules: Rules) -> Horizon | None:
    """The horizon a matched phrase names; None when it names a date not after publication."""
    phrase, opt = m.group().strip(), rule.options
    kind = rule.resolve
    if kind == "fixed":
        return Horizon("fixed", opt["code"], None, phrase)
    if kind == "n_months":
        n = _count(m, rules)
        if n in FIXED_MONTHS:
            return Horizon("fixed", FIXED_MONTHS[n], None, phrase)
        if published is None or not 0 < n <= 60:
            return None if n <= 0 or n > 60 else Horizon("unresolved", phrase, None, phrase)
        month = published.month - 1 + n
        year, month = published.year + month // 12, month % 12 + 1
        return _calendar(min(_month_end(year, month), dt.date(year, month, min(published.day, 28))), published,
                         phrase)
    if kind == "n_weeks":
        n = _count(m, rules)
        if n == 1:
            return Horizon("fixed", "1W", None, phrase)
        if not 0 < n <= 104:
            return None
        return (_calendar(published + dt.timedelta(weeks=n), published, phrase) if published
                else Horizon("unresolved", phrase, None, phrase))
    if kind == "year_end":
        years = int(opt.get("years", 0))
        if published is None:  # "this year" names a year only once the publication date is known
            return Horizon("unresolved", phrase, None, phrase)
        return _calendar(dt.date(published.year + years, 12, 31), published, phrase)
    if kind == "year":
        year = int(_group(m, "year", "year2"))
        if published is not None and year < published.year:
            return None
        if year > 2100:
            return None
        return _calendar(dt.date(year, 12, 31), published, phrase)
    if published is None:
        return Horizon("unresolved", phrase, None, phrase)
    try:
        if kind == "date":
            month, day = int(_group(m, "month", "month2")), int(_group(m, "day", "day2"))
            year_text = _group(m, "year", "year2")
            if year_text:
                target = dt.date(int(year_text), month, day)
            else:
                target = _next_year_if_past(lambda y: dt.date(y, month, day), published)
        elif kind == "month":
            month_text = _group(m, "month")
            month = int(month_text) if month_text.isdigit() else rules.months[month_text.capitalize()]
            year_text = _group(m, "year")
            target = (_month_end(int(year_text), month) if year_text
                      else _next_year_if_past(lambda y: _month_end(y, month), published))
        elif kind == "quarter":
            q_text = _group(m, "q", "q2")
            q = int(q_text) if q_text else rules.quarter_words[_group(m, "qword").lower()]
            target = _next_year_if_past(lambda y: _month_end(y, 3 * q), published)
        elif kind == "half":
            half = int(opt.get("half", 1))
            target = _next_year_if_past(lambda y: _month_end(y, 6 * half), published)
        elif kind == "weekday":
            name = _group(m, "wd", "wd2")
            weekday = rules.weekdays[name if name in rules.weekdays else name.capitalize()]
            ahead = (weekday - published.weekday()) % 7 or 7
            target = published + dt.timedelta(days=ahead)
        else:
            return None
    except (ValueError, KeyError, TypeError):
        return None  # "2월 30일", an unknown month name: not a date
    if target <= published or target.year > 2100:
        return None
    return _calendar(target, published, phrase)


def find_horizons(sentence: str, published: dt.date | None, rules: Rules) -> list[HorizonHit]:
    """Every horizon phrase in ``sentence`` that resolves, leftmost first (longest on ties), not overlapping."""
    hits: list[HorizonHit] = []
    for rule in rules.horizons:
        for m in rule.pattern.finditer(sentence):
            horizon = resolve(rule, m, published, rules)
            if horizon is not None:
                hits.append(HorizonHit(horizon, m.start(), m.end()))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[HorizonHit] = []
    for hit in hits:
        if not out or hit.start >= out[-1].end:
            out.append(hit)
    return out
