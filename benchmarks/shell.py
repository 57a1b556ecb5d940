"""The warm-navigation floor: the dashboard's own shell around a 3-point chart (issue #29 item 9).

:func:`build` writes a Streamlit app into a folder: ``app.py`` runs the project's real ``app.py`` (its page
config, sidebar language switch, hidden home page and ``st.navigation`` over the same seven page files, titles,
icons and addresses), and each of those page files holds only hello-world's body (a title and one 3-point
chart). Served like the dashboard, the difference between a page and its shell is the page's own content,
never Streamlit's multipage front end or the page's address (``/<page>``, whose health check a single-page
hello-world at ``/`` does not pay).

Because the shell executes ``app.py`` itself, a change to the app's navigation changes the floor with it.
"""

from __future__ import annotations

from pathlib import Path
from types import CodeType

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
PAGES_DIR = ROOT / "pages"
# The body of hello-world and of every shell page: a title and one 3-point chart.
HELLO = """import plotly.graph_objects as go
import streamlit as st
st.title("hello")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2])))
"""
_LAUNCHER = f"""import sys
sys.path.insert(0, {str(ROOT)!r})
from benchmarks.shell import run_app
run_app(__file__)
"""
_code: dict[Path, CodeType] = {}


def page_files() -> list[str]:
    """The dashboard's page files (app.py registers every one of them)."""
    return sorted(p.name for p in PAGES_DIR.glob("*.py"))


def build(folder: Path) -> Path:
    """Write the shell app into ``folder`` (``app.py`` and ``pages/<each page file>``); returns its ``app.py``."""
    pages = folder / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    for name in page_files():
        (pages / name).write_text(HELLO, encoding="utf-8")
    launcher = folder / "app.py"
    launcher.write_text(_LAUNCHER, encoding="utf-8")
    return launcher


def run_app(launcher: str) -> None:
    """One script run of the dashboard's ``app.py`` as if it lived at ``launcher`` (so its ``pages/`` folder is
    the shell's). The compiled code is kept per process, as Streamlit keeps the main script's."""
    code = _code.get(APP)
    if code is None:
        code = _code[APP] = compile(APP.read_text(encoding="utf-8"), str(APP), "exec")
    exec(code, {"__file__": launcher, "__name__": "__main__", "__builtins__": __builtins__})
