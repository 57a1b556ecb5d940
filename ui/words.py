"""The catalogs as :class:`commentary.words.Words`: what ``ui`` hands the domain instead of a language."""

from __future__ import annotations

import functools
import math
from typing import get_args

import pandas as pd

from catalog import LANGS, catalog, text
from commentary.words import DateForm, Words

MISSING = "–"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class CatalogWords:
    """:class:`Words` read from ``catalog/<lang>/*.toml``."""

    def __init__(self, lang: str) -> None:
        self.language = lang if lang in LANGS else "en"

    def __call__(self, key: str, /, **params: object) -> str:
        return text(self.language, key, **params)

    def date(self, day: object, form: DateForm = "long") -> str:
        if day is None or (isinstance(day, float) and math.isnan(day)):
            return MISSING
        stamp = pd.Timestamp(day)
        if pd.isna(stamp):
            return MISSING
        # %b by hand: strftime's month names follow the process locale, the reader's language does not
        return stamp.strftime(self.date_format[form].replace("%b", _MONTHS[stamp.month - 1]))

    @functools.cached_property
    def date_format(self) -> dict[str, str]:
        return {form: catalog(self.language).get(f"date.{form}") or catalog("en")[f"date.{form}"]
                for form in get_args(DateForm)}

    def __repr__(self) -> str:
        return f"CatalogWords({self.language!r})"


@functools.cache
def words(lang: str) -> Words:
    """The reader's words in ``lang`` ("ko" or "en"; anything else reads English), one object per language."""
    return CatalogWords(lang)
