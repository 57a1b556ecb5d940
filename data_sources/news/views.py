"""News for the pages: items per local calendar day and tag (the news chart), and one day's items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import pandas as pd

from data_sources.news.frame import normalise_news, sort_news
from data_sources.news.tagging import load_rules


def _day(value: object) -> pd.Timestamp:
    stamp = pd.Timestamp(value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) else value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def local_days(published: pd.Series, tz: str = "Asia/Seoul") -> pd.Series:
    """The local calendar day (naive midnight) in ``tz`` of each UTC publication time; NaT stays NaT."""
    stamps = pd.to_datetime(published, utc=True, errors="coerce")
    return stamps.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def daily_tag_counts(
    news: pd.DataFrame,
    start: object,
    end: object,
    tags: Iterable[str] | None = None,
    tz: str = "Asia/Seoul",
) -> pd.DataFrame:
    """Items per local calendar day and tag: DataFrame(date, tag, count), every day × tag (zeros included).

    ``date`` is naive midnight (like the price frame); ``tags=None`` means every tag that
    occurs in the window, in rule order. Undated and "absurd" items are not counted.
    """
    start_day, end_day = _day(start), _day(end)
    columns = {"date": pd.Series(dtype="datetime64[ns]"), "tag": pd.Series(dtype="object"),
               "count": pd.Series(dtype="int64")}
    if end_day < start_day:
        return pd.DataFrame(columns)
    frame = normalise_news(news)
    frame = frame[frame["published"].notna() & (frame["date_flag"] != "absurd")]
    days = local_days(frame["published"], tz) if not frame.empty else pd.Series(dtype="datetime64[ns]")
    mask = (days >= start_day) & (days <= end_day)
    pairs = pd.DataFrame({"date": days[mask].to_numpy(), "tag": frame.loc[mask, "tags"].to_numpy()})
    pairs = pairs.explode("tag").dropna(subset=["tag"])
    if tags is None:
        present = set(pairs["tag"])
        order = [r.id for r in load_rules()]
        tag_list = [t for t in order if t in present] + sorted(present - set(order))
    else:
        tag_list = list(dict.fromkeys(tags))
    if not tag_list:
        return pd.DataFrame(columns)
    counts = pairs.groupby(["date", "tag"]).size()
    grid = pd.MultiIndex.from_product([pd.date_range(start_day, end_day, freq="D"), tag_list], names=["date", "tag"])
    out = counts.reindex(grid, fill_value=0).rename("count").reset_index()
    out["date"] = out["date"].astype("datetime64[ns]")
    out["count"] = out["count"].astype("int64")
    return out


def items_on_day(news: pd.DataFrame, day: object, tz: str = "Asia/Seoul") -> pd.DataFrame:
    """Items published on local calendar ``day`` in ``tz``, oldest first."""
    frame = normalise_news(news)
    if frame.empty:
        return frame
    frame = frame[frame["published"].notna() & (frame["date_flag"] != "absurd")]
    picked = frame[local_days(frame["published"], tz) == _day(day)]
    return sort_news(picked, newest_first=False)
