"""The event day's bars in the reader's words: the count of symbols without a move, and the empty day."""

from __future__ import annotations

import pandas as pd
import pytest

from commentary.charts.event_day import event_day_figure
from ui.words import words


def _table(changes: list[float]) -> pd.DataFrame:
    names = [f"S{i}" for i in range(len(changes))]
    return pd.DataFrame({"symbol": names, "name": names, "session": pd.to_datetime(["2025-01-27"] * len(changes)),
                         "change_pct": changes, "note": [""] * len(changes)})


@pytest.mark.parametrize(("lang", "missing", "empty"), [
    ("ko", "하루 · 2개 종목은 값 없음", "이 날의 변동이 없습니다"),
    ("en", "One day · 2 without a move", "No moves on this day"),
])
def test_event_day_bars_say_what_is_missing_in_the_readers_words(lang: str, missing: str, empty: str) -> None:
    table = _table([-3.0, float("nan"), 1.5, float("nan")])
    title = {"ko": "하루", "en": "One day"}[lang]
    fig = event_day_figure(table, words(lang), title)
    assert fig.layout.title.text == missing and list(fig.data[0].x) == [1.5, -3.0]
    none = event_day_figure(_table([]), words(lang), title)
    assert not none.data and none.layout.annotations[0].text == empty and none.layout.title.text == title
