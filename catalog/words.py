"""The catalogs as the domain's ``Words`` (:class:`commentary.words.Words`, matched by shape): what ``ui`` hands
the chart builders instead of a language."""

from __future__ import annotations

import functools
import math

import pandas as pd

from catalog import LANGS, catalog, text

MISSING = "–"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class CatalogWords:
    """Words read from ``catalog/<lang>/*.toml``; dates in the forms of ``catalog/<lang>/dates.toml``."""

    def __init__(self, lang: str) -> None:
        self.language = lang if lang in LANGS else "en"

    def __call__(self, key: str, /, **params: object) -> str:
        return text(self.language, key, **params)

    def date(self, day: object, form: str = "long") -> str:
        if day is None or (isinstance(day, float) and math.isnan(day)):
            return MISSING
        stamp = pd.Timestamp(day)
        if pd.isna(stamp):
            return MISSING
        # %b by hand: strftime's month names follow the process locale, the reader's language does not
        return stamp.strftime(self.date_format[form].replace("%b", _MONTHS[stamp.month - 1]))

    @functools.cached_property
    def date_format(self) -> dict[str, str]:
        forms = {key.removeprefix("date."): value for key, value in catalog("en").items() if key.startswith("date.")}
        mine = catalog(self.language)
        return {form: mine.get(f"date.{form}", value) for form, value in forms.items()}

    def __repr__(self) -> str:
        return f"CatalogWords({self.language!r})"


@functools.cache
def words(lang: str) -> CatalogWords:
    """The reader's words in ``lang`` ("ko" or "en"; anything else reads English), one object per language."""
    return CatalogWords(lang)
