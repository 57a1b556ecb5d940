"""The reader's language (Korean or English), kept in the URL as ``?lang=ko|en``."""

from __future__ import annotations

import streamlit as st

from catalog import text

LANGS = ("ko", "en")
DEFAULT_LANG = "ko"


def init_lang() -> str:
    """Read the language from the URL (or this session), write it back so it survives page changes."""
    lang = st.query_params.get("lang") or st.session_state.get("lang") or DEFAULT_LANG
    lang = lang if lang in LANGS else DEFAULT_LANG
    st.session_state["lang"] = lang
    st.query_params["lang"] = lang
    return lang


def lang() -> str:
    """The current language ("ko" or "en")."""
    value = st.session_state.get("lang", DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


def t(key: str, **params: object) -> str:
    """The catalog string ``key`` (``catalog/<lang>/*.toml``) in the current language, ``params`` filled in."""
    return text(lang(), key, **params)

