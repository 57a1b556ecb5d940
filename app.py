"""Entrypoint: ``streamlit run app.py``. Language and navigation over pages/ (each page starts with
``ui.chrome.page_header``, which readies the store, refreshes when allowed and shows data freshness)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from data_sources.runtime import release_freed_memory, use_lean_allocators
from ui import live
from ui.i18n import init_lang, t
from ui.widget_words import localise_widgets

use_lean_allocators()  # once per process, before the pages load any data

st.set_page_config(page_title="Column vs Data", page_icon="📈", layout="wide")
lang = init_lang()

PAGES_DIR = Path(__file__).parent / "pages"
# The url path is the file name: a deep link opened first on a fresh server is resolved by Streamlit's legacy
# pages/ lookup, which knows file names only; every .py file in pages/ must be listed here.
PAGE_SPECS = [  # file, icon, url path; the title is the catalog's ``nav.<url path>``
    ("column.py", ":material/article:", "column"),
    ("library.py", ":material/library_books:", "library"),
    ("new_column.py", ":material/edit_note:", "new_column"),
    ("compare.py", ":material/compare_arrows:", "compare"),
    ("fx.py", ":material/currency_exchange:", "fx"),
    ("news.py", ":material/newspaper:", "news"),
    ("data.py", ":material/database:", "data"),
]



def _on_lang_change() -> None:
    choice = st.session_state.get("lang_switch")
    if choice:
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice


st.session_state["lang_switch"] = lang  # the URL wins over a stale widget state
st.sidebar.segmented_control("언어 / Language", ["ko", "en"], format_func={"ko": "한국어", "en": "English"}.get,
                             key="lang_switch", on_change=_on_lang_change)

pages = [
    st.Page(str(PAGES_DIR / file), title=t(f"nav.{url}"), icon=icon, url_path=url)
    for file, icon, url in PAGE_SPECS if (PAGES_DIR / file).exists()
]


def _home() -> None:
    """``/``: open the first page under its own address. (Streamlit gives the default page the address ``/``,
    so a deep link to ``/column`` would match no page and show "Page not found"; with this hidden default,
    every listed page keeps its own address and deep links always resolve.)"""
    st.switch_page(pages[0], query_params=st.query_params.to_dict())  # the address's view travels along


page = st.navigation([st.Page(_home, title=t(f"nav.{PAGE_SPECS[0][2]}"), url_path="home", default=True,
                              visibility="hidden"), *pages])
FAVICONS = {"column": "📰", "library": "📚", "new_column": "✍️", "compare": "⚖️", "fx": "💱", "news": "🗞️", "data": "🗄️"}
st.set_page_config(page_title=f"{page.title} · " + t("nav.app"),
                   page_icon=FAVICONS.get(page.url_path, "📈"))
live.page_shows_current_data()  # and says so when this run came from the check below
localise_widgets()  # Streamlit's uploader and empty date slots in the page's language, on every page
with st.sidebar:
    live.follow_store()  # an open tab checks the data version every few seconds and reruns on a new one
page.run()
release_freed_memory()  # the run's freed frames go back to the system (at most every few seconds)
