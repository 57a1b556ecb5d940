"""The reader-text catalogs: both languages say the same things, and nothing in them is dead."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import catalog
from data_sources.errors import DashboardError, Problem

ROOT = Path(__file__).resolve().parents[3]
CODE = [ROOT / "app.py", *[p for d in ("pages", "ui", "commentary", "data_sources", "benchmarks", "catalog")
                           for p in (ROOT / d).rglob("*.py")]]


def _literals() -> set[str]:
    found: set[str] = set()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_both_languages_hold_the_same_keys_with_the_same_parameters():
    ko, en = catalog.catalog("ko"), catalog.catalog("en")
    assert sorted(set(ko) ^ set(en)) == []
    differing = {k: (sorted(catalog.placeholders(ko[k])), sorted(catalog.placeholders(en[k])))
                 for k in ko if catalog.placeholders(ko[k]) != catalog.placeholders(en[k])}
    assert differing == {}
    assert all(v.strip() for v in (*ko.values(), *en.values())), "an empty catalog string"


def test_every_catalog_key_is_used_by_the_code():
    literals = _literals()

    def used(key: str) -> bool:
        if key in literals:
            return True
        return any(key.startswith(p) and key[len(p):] in literals for p in catalog.DYNAMIC_PREFIXES)

    assert sorted(k for k in catalog.catalog("en") if not used(k)) == []


def test_text_fills_parameters_and_never_parses_a_value(tmp_path, monkeypatch):
    for lang, body in (("ko", '[t]\nhello = "{who}의 {n}행"\n'), ("en", '[t]\nhello = "{n} rows of {who}"\n')):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "t.toml").write_text(body, encoding="utf-8")
    monkeypatch.setattr(catalog, "LOCALES", tmp_path)
    catalog.catalog.cache_clear()
    try:
        assert catalog.text("en", "t.hello", who="{n.__class__}", n=3) == "3 rows of {n.__class__}"
        assert catalog.text("ko", "t.hello", who="NVDA", n=3) == "NVDA의 3행"
        assert catalog.text("ko", "t.missing") == "t.missing"
        problem = DashboardError("hello", who="x", n=1).problem
        assert problem == Problem("hello", {"who": "x", "n": 1})
    finally:
        catalog.catalog.cache_clear()


def test_a_key_defined_twice_is_refused(tmp_path, monkeypatch):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "a.toml").write_text('[t]\nx = "a"\n', encoding="utf-8")
    (tmp_path / "en" / "b.toml").write_text('[t]\nx = "b"\n', encoding="utf-8")
    monkeypatch.setattr(catalog, "LOCALES", tmp_path)
    catalog.catalog.cache_clear()
    try:
        with pytest.raises(catalog.CatalogError, match=r"t\.x"):
            catalog.catalog("en")
    finally:
        catalog.catalog.cache_clear()
