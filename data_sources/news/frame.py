"""The news frame every news function returns (one row per item; columns in :mod:`data_sources.news.parse`)."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

NEWS_COLUMNS: tuple[str, ...] = (
    "published", "source", "title", "link", "summary_text", "tags", "uid", "date_flag", "date_raw",
)
DATE_FLAGS: tuple[str, ...] = ("", "missing", "future", "absurd")


def empty_news() -> pd.DataFrame:
    """A news frame with no rows and the right dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in NEWS_COLUMNS})
    frame["published"] = pd.Series(dtype="datetime64[ns, UTC]")
    return frame


def normalise_news(frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce a frame to the news contract: columns in order, dtypes, tags as tuples (extra columns kept)."""
    if frame is None or frame.empty:
        extra = [c for c in (frame.columns if frame is not None else []) if c not in NEWS_COLUMNS]
        out = empty_news()
        for col in extra:
            out[col] = pd.Series(dtype=frame[col].dtype)
        return out
    out = frame.copy()
    for col in NEWS_COLUMNS:
        if col not in out.columns:
            out[col] = [()] * len(out) if col == "tags" else ""
    published = pd.to_datetime(out["published"], errors="coerce", utc=True)
    out["published"] = published.astype("datetime64[ns, UTC]")
    for col in ("source", "title", "link", "summary_text", "uid", "date_flag", "date_raw"):
        out[col] = out[col].fillna("").astype(str)
    out["tags"] = [_as_tags(t) for t in out["tags"]]
    extra = [c for c in out.columns if c not in NEWS_COLUMNS]
    return out.loc[:, [*NEWS_COLUMNS, *extra]].reset_index(drop=True)


def _as_tags(value: object) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ()
    if isinstance(value, str):
        return tuple(t for t in value.split("|") if t)
    try:
        return tuple(str(t) for t in value)  # list, tuple, numpy array
    except TypeError:
        return ()


def sort_news(frame: pd.DataFrame, newest_first: bool = True) -> pd.DataFrame:
    """Sort by ``published`` (NaT last either way), then source and title; never fails on odd dates."""
    if frame.empty:
        return frame.reset_index(drop=True)
    order = frame.sort_values(["source", "title"], kind="stable")
    order = order.sort_values("published", ascending=not newest_first, na_position="last", kind="stable")
    return order.reset_index(drop=True)


def title_key(title: str) -> str:
    """A normalised title for de-duplication: NFKC, case-folded, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKC", title or "").casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())
