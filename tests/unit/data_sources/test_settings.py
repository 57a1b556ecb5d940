"""One settings object: every DASHBOARD_* variable with its default and meaning, read once, and the README's
configuration table generated from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from data_sources import settings as app_settings
from data_sources.settings import Settings, markdown_table, settings

ROOT = Path(__file__).resolve().parents[3]


def test_read_once_and_rebuilt_on_reload(monkeypatch: pytest.MonkeyPatch) -> None:
    first = settings()
    assert settings() is first  # cached: the environment is read once
    with monkeypatch.context() as plain:  # a MonkeyPatch that does not reload (as in production: no reload)
        plain.setenv("DASHBOARD_STORE_POLL", "7")
        assert settings().store_poll == first.store_poll
        assert app_settings.reload().store_poll == 7.0
    app_settings.reload()


@pytest.mark.parametrize(("variable", "value", "field", "expected"), [
    ("DASHBOARD_OFFLINE", "yes", "offline", True),
    ("DASHBOARD_OFFLINE", "maybe", "offline", False),
    ("DASHBOARD_REFRESH", "never", "refresh", False),
    ("DASHBOARD_REFRESH", "1", "refresh", True),
    ("DASHBOARD_NOTES", "SHARED", "notes", "shared"),
    ("DASHBOARD_NOTES", "everyone", "notes", "private"),
    ("DASHBOARD_STORE_POLL", "abc", "store_poll", 30.0),  # not a number: the default
    ("DASHBOARD_STORE_POLL", "0.01", "store_poll", 0.1),  # too small: raised to the least
    ("DASHBOARD_STORE_POLL", "nan", "store_poll", 30.0),
    ("DASHBOARD_PRICE_DEADLINE_S", "0.1", "price_deadline_s", 0.5),
    ("DASHBOARD_FEED_DEADLINE", "99999", "feed_deadline", 20.0),  # out of range: the default
    ("DASHBOARD_FEED_PARSE_SECONDS", "0.2", "feed_parse_seconds", 0.2),
    ("DASHBOARD_FAULT_AT", "somewhere", "fault_at", ""),
    ("DASHBOARD_FAULT_AT", "mid-write", "fault_at", "mid-write"),
    ("DASHBOARD_S3_REGION", "  ", "s3_region", "us-east-1"),
])
def test_each_variable_is_read_leniently(monkeypatch, variable, value, field, expected) -> None:
    monkeypatch.setenv(variable, value)
    assert getattr(settings(), field) == expected


def test_derived_values(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("DASHBOARD_FETCH_ALLOW", " Feeds.LAN , [::1],,10.0.0.5 ")
    monkeypatch.setenv("DASHBOARD_STORE_URL", "S3://bucket/prefix")
    got = settings()
    assert got.store_folder == tmp_path / "store"
    assert got.allowed_hosts == {"feeds.lan", "::1", "10.0.0.5"}
    assert got.shared_store
    monkeypatch.delenv("DASHBOARD_DATA_DIR")
    assert settings().store_folder.name == app_settings.APP_NAME  # the platform's user data folder


def test_every_variable_has_a_default_and_a_meaning() -> None:
    table = markdown_table().splitlines()
    assert len(table) == 2 + len(Settings.model_fields)
    for name, info in Settings.model_fields.items():
        assert info.description and len(info.description) > 15, name
        assert f"| `DASHBOARD_{name.upper()}` |" in markdown_table()


def test_the_readme_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- settings table: python -m data_sources settings --markdown -->", "<!-- end of settings table -->"
    assert start in readme and end in readme
    shown = readme.split(start, 1)[1].split(end, 1)[0].strip()
    assert shown == markdown_table()
    printed = subprocess.run([sys.executable, "-m", "data_sources", "settings", "--markdown"], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip() == markdown_table()
