"""Reader text in catalogs, one folder per language (``catalog/ko/*.toml``, ``catalog/en/*.toml``).

Each TOML file holds one or more tables; a string's key is its dotted path (``[store]`` ``unreachable = "…"``
→ ``"store.unreachable"``). Templates take named parameters (``"{symbol} has no rows"``), filled with
:meth:`str.format` — a parameter's *value* is never parsed as a template. Values that reach Markdown must be
escaped by the caller (:func:`commentary.text.safe_text.md_escape`).

Error codes from the data layer (:class:`data_sources.errors.Problem`) are worded under ``problem.<code>``
(:func:`describe`; a banner's few words under ``short.<code>``, :func:`short`). This package imports no
Streamlit, so the data layer's CLI words its output from the same catalogs (``cli.<line>``, in English).
``tests/unit/project/test_catalogs.py`` checks both languages hold the same keys with the same parameters,
and that every key is used.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from data_sources.errors import Problem

LOCALES = Path(__file__).parent
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
LANGS = ("ko", "en")
#: Key families filled in at run time (``problem.<code>``, ``short.<code>``, the CLI's ``cli.<line>``, the
#: sidebar's ``nav.<page>``, a date form's ``date.<form>``): a key under one of these prefixes is in use when
#: its remainder is a string literal somewhere in the project.
DYNAMIC_PREFIXES: tuple[str, ...] = ("problem.", "short.", "cli.", "nav.", "date.")


class CatalogError(ValueError):
    """A catalog file is malformed or two files define the same key."""


def _flatten(table: Mapping[str, Any], prefix: str, out: dict[str, str], origin: Path) -> None:
    for name, value in table.items():
        key = f"{prefix}.{name}" if prefix else name
        if isinstance(value, Mapping):
            _flatten(value, key, out, origin)
        elif isinstance(value, str):
            if key in out:
                raise CatalogError(f"{origin.name}: key {key!r} is defined twice")
            out[key] = value
        else:
            raise CatalogError(f"{origin.name}: key {key!r} is not a string")


@functools.cache
def catalog(lang: str) -> Mapping[str, str]:
    """Every string of ``lang``'s catalog by key (read once per process)."""
    out: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.toml")):
        with path.open("rb") as handle:
            _flatten(tomllib.load(handle), "", out, path)
    return out


def placeholders(template: str) -> frozenset[str]:
    """The named parameters a template uses."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def text(lang: str, key: str, **params: object) -> str:
    """The catalog string ``key`` in ``lang`` with ``params`` filled in (English, then the key, if missing)."""
    template = catalog(lang).get(key) or catalog("en").get(key)
    if template is None:
        return key
    return template.format(**params) if params else template


def describe(problem: Problem, lang: str, **extra: object) -> str:
    """A data-layer :class:`Problem` in the reader's words (``problem.<code>`` with its parameters).

    A parameter that is itself a problem (a cause) is worded first; a list of problems is worded item by item
    and joined (``problem.join``); in Korean an ISO date (``2025-01-27``) reads ``2025년 1월 27일``. A code the
    catalogs lack reads as ``problem.unknown`` (never a key or a traceback).
    """
    params = {name: _worded(value, lang) for name, value in {**problem.params, **extra}.items()}
    key = f"problem.{problem.code}"
    if key not in catalog(lang) and key not in catalog("en"):
        return text(lang, "problem.unknown", code=problem.code)
    try:
        return text(lang, key, **params)
    except (KeyError, IndexError, ValueError):  # a template that wants a parameter this problem lacks
        return text(lang, "problem.unknown", code=problem.code)


def short(problem: Problem, lang: str) -> str:
    """A few words for a banner: ``short.<code>``, else the problem's own words (``problem.<code>``)."""
    key = f"short.{problem.code}"
    return text(lang, key) if key in catalog(lang) or key in catalog("en") else describe(problem, lang)


def _worded(value: object, lang: str) -> object:
    if isinstance(value, Problem):
        return describe(value, lang)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Problem) for v in value):
        return text(lang, "problem.join").join(describe(v, lang) for v in value)
    if lang == "ko" and isinstance(value, str) and _ISO_DAY.fullmatch(value):
        year, month, day = value.split("-")
        return f"{int(year)}년 {int(month)}월 {int(day)}일"
    return value
