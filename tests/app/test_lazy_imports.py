"""A process that never fetches never loads yfinance (~25 MB resident with peewee, BeautifulSoup and lxml): every
page is run offline on the real snapshot, in a fresh interpreter, then its modules are listed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_RUN_EVERY_PAGE = """
import json, sys
from streamlit.testing.v1 import AppTest
failed = []
for page in sys.argv[1:]:
    at = AppTest.from_file("app.py", default_timeout=120)
    at.switch_page(f"pages/{page}.py")
    at.run()
    failed += [f"{page}: {e.message}" for e in at.exception]
print(json.dumps({"failed": failed, "loaded": sorted(m for m in ("yfinance", "peewee", "bs4") if m in sys.modules)}))
"""


def test_running_every_page_offline_never_imports_yfinance(seeded_store: Path) -> None:
    pages = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(seeded_store), "DASHBOARD_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", _RUN_EVERY_PAGE, *pages], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600, check=True)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["failed"] == []
    assert got["loaded"] == [], f"imported by a page that never fetches: {got['loaded']}"
