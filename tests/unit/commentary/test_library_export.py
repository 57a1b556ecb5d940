"""Export → parse round trip of commentaries (bundled files and edited copies)."""

from __future__ import annotations

import dataclasses

import pytest

from commentary.document.column import list_commentaries, parse_commentary
from commentary.document.model import Commentary
from commentary.library.export import export_commentary

BUNDLED = [c for c in list_commentaries() if isinstance(c, Commentary)]


@pytest.mark.parametrize("item", BUNDLED, ids=[c.id for c in BUNDLED])
def test_bundled_round_trip(item: Commentary) -> None:
    text = export_commentary(item)
    again = parse_commentary(text, item.source)
    assert again == item
    assert export_commentary(again) == text  # stable: a second export writes the same bytes


def test_bundled_files_are_found() -> None:
    assert {"baek-2025-01-26", "example-2025-03-06-qwq"} <= {c.id for c in BUNDLED}


def test_narrative_kept_as_written() -> None:
    item = next(c for c in BUNDLED if c.id == "example-2025-03-06-qwq")
    odd = "<b>bold?</b> *stars* `code`\n\n  indented line\t\nemoji 📈 and 한글 — \"quotes\" 'single' #hash"
    section = dataclasses.replace(item.sections[0], body_en=odd)
    edited = dataclasses.replace(item, sections=(section,), title="Title: with colon # and 'quotes'")
    again = parse_commentary(export_commentary(edited), item.source)
    assert again.sections[0].body_en == odd
    assert again.title == "Title: with colon # and 'quotes'"
    assert again == edited


def test_own_examples_are_marked_and_scored(market_dir) -> None:
    import pandas as pd

    from commentary.scoring.claims import scorecard
    from commentary.scoring.combine import combine_sources

    examples = {c.id: c for c in BUNDLED if c.id in ("example-2025-04-04-semis", "example-2025-04-08-tariff-shock")}
    assert len(examples) == 2
    frames = [pd.read_csv(p, parse_dates=["date"]).assign(symbol=p.stem) for p in sorted(market_dir.glob("*.csv"))]
    prices = pd.concat(frames, ignore_index=True)
    for item in examples.values():
        assert item.author == "Column vs Data (example)" and item.warnings == () and item.claim_errors == ()
        card = combine_sources(scorecard(item.claims, prices, item.published))
        primary = card[card["primary"]]
        assert len(primary) == len(item.claims)
        assert set(primary["verdict"]) <= {"held", "failed"}  # every primary horizon has matured in the data


def test_no_yaml_anchors_for_shared_objects() -> None:
    from commentary.library.export import render

    shared = ["NVDA", "QQQ"]
    text = render({"symbols": shared, "again": shared}, [])
    assert "&id" not in text and "*id" not in text and text.count("- NVDA") == 2
