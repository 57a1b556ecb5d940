"""AppTest: the column page's scorecard as readable cards, one vocabulary of verdict states on the column page and
in the Library, and counts that add up — on every bundled column, in Korean and English."""

from __future__ import annotations

import re

import pytest

from catalog import text
from commentary.document.column import list_commentaries
from commentary.document.model import Commentary
from tests.conftest import app_page, shown

STATES = ("held", "failed", "source-dependent", "too early", "judged later", "no data")
KEYS = {s: "odds.verdict." + s.replace(" ", "_").replace("-", "_") for s in STATES}


def _bundled() -> list[Commentary]:
    return [c for c in list_commentaries() if isinstance(c, Commentary) and c.claims]


def _words(lang: str) -> dict[str, str]:
    """Each verdict state's word in ``lang``, from the catalog (longest first, so "failed" never hides a longer)."""
    return dict(sorted(((text(lang, KEYS[s]), s) for s in STATES), key=lambda kv: -len(kv[0])))


def _cards(at) -> list[list[str]]:
    """The scorecard's cards as the reader reads them: a list of lines per card."""
    block = next(shown(m.value) for m in at.markdown if m.value.startswith("**1\\. "))
    return [card.split("  \n") for card in block.split("\n\n")]


def _state(line: str, lang: str) -> str:
    """The verdict state a card's verdict line opens with (after its coloured mark)."""
    said = line.strip("*").split(" ", 1)[1]
    return next(state for word, state in _words(lang).items() if said.startswith(word))


def _tally(cell: str, lang: str) -> dict[str, int]:
    """The Library's tally ("held 1 · failed 3 · source-dependent 1") as {state: count}."""
    words = _words(lang)
    out = {}
    for part in cell.split(" · "):
        word, count = part.rsplit(" ", 1)
        out[words[word]] = int(count)
    return out


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_scorecard_cards_show_each_claim_whole_with_its_primary_verdict(seeded_store, lang: str) -> None:
    for item in _bundled():
        at = app_page(None, lang, c=item.id)
        assert not at.exception, [e.value for e in at.exception]
        cards = _cards(at)
        assert len(cards) == len(item.claims)
        grid = next(d.value for d in at.dataframe if len(d.value) == len(item.claims))
        for n, (card, claim) in enumerate(zip(cards, item.claims, strict=True), 1):
            assert card[0] == f"**{n}. {claim.text(lang)}**"  # the whole claim, never cut
            assert card[1].startswith(f"**{grid.iloc[n - 1, 1]}**")  # the grid's primary verdict, in full
            assert card[2].startswith(f":small[{grid.columns[2]}: ")  # the odds, named


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_column_page_and_library_give_each_column_the_same_states_and_counts_add_up(seeded_store,
                                                                                     lang: str) -> None:
    library = app_page("library", lang)
    assert not library.exception, [e.value for e in library.exception]
    table = library.dataframe[0].value
    for item in _bundled():
        at = app_page(None, lang, c=item.id)
        states = [_state(card[1], lang) for card in _cards(at)]
        row = table[table["open"].str.contains(f"c={item.id}&")].iloc[0]
        tally = _tally(row["tally"], lang)
        # the same state per claim on both pages, in the same words (the Library counts them)
        assert tally == {s: states.count(s) for s in STATES if states.count(s)}, (item.id, row["tally"], states)
        # counts add up: the tally, the overall line and the column page's summary all count every scored claim
        assert sum(tally.values()) == row["claims"] == len(item.claims)
        for overall in (row["verdicts"], next(shown(m.value) for m in at.markdown
                                              if m.value.startswith(f"**{text(lang, 'column.verdicts')}**"))):
            numbers = [int(x) for x in re.findall(r"\d+", overall.split(":", 1)[1].split("\n")[0])]
            total = int(re.search(r"\d+", overall.split(":")[0]).group())
            assert total == len(item.claims) == sum(numbers), overall


def test_each_authors_record_accounts_for_every_claim(seeded_store) -> None:
    """Under each author: rated calls + those waiting for their horizon + those without enough past = claims."""
    library = app_page("library", "en")
    records = [shown(m.value) for m in library.markdown if re.match(r"\*\*.+\*\* — \d+ column", shown(m.value))]
    authors = {c.author for c in _bundled()}
    assert len(records) == len(authors)
    for record in records:
        claims = int(re.search(r"(\d+) claim\(s\)", record).group(1))
        rated = re.search(r"of (\d+) held", record)
        waiting = re.search(r"Not rated: (\d+) waiting for their horizon, (\d+) with", record)
        parts = [int(rated.group(1)) if rated else 0, *(int(x) for x in (waiting.groups() if waiting else ()))]
        assert sum(parts) == claims, record
        author = record.split("**")[1]
        assert claims == sum(len(c.claims) for c in _bundled() if c.author == author)
