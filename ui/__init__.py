"""Shared UI helpers for the pages (cached loaders, page header, language).

Importing this package also fixes one Streamlit quirk: a server process whose very first request is a
deep link (``/data``) runs ``pages/data.py`` directly in the legacy "pages/ folder" mode, skipping
``app.py`` (no language, no navigation). When that happens we switch the legacy mode off and rerun, so
``app.py`` runs and ``st.navigation`` resolves the link as usual.
"""

try:
    from streamlit.runtime.pages_manager import PagesManager
except ImportError:  # a future Streamlit without it has no legacy mode to undo
    PagesManager = None

if PagesManager is not None and PagesManager.uses_pages_directory:
    import streamlit as st

    PagesManager.uses_pages_directory = False
    st.rerun()
