"""Untrusted text (feeds, reader input, URL parameters, error messages) made inert for ``st.markdown``."""

from __future__ import annotations

import re
import unicodedata

from data_sources.sanitize import BIDI_CONTROLS, safe_url

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:=^\"'])")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff" + "".join(sorted(BIDI_CONTROLS)) + "]")


def md_escape(text: object, max_len: int | None = None) -> str:
    """``text`` made inert for ``st.markdown``: one line, no controls/bidi overrides, HTML and Markdown escaped.

    ``&``, ``<`` and ``>`` become entities (shown literally, never parsed as tags); every Markdown
    punctuation mark (also ``$`` for LaTeX and ``:`` for Streamlit's ``:color[...]``/emoji syntax) gets a
    backslash. ``max_len`` cuts the *plain* text first (ending in "…"). Bare web/e-mail addresses in the
    text may still be auto-linked by GFM, which only ever links http(s)/www/mailto, never other schemes.
    """
    plain = "" if text is None else str(text)
    plain = unicodedata.normalize("NFC", _CONTROLS.sub("", plain))
    plain = " ".join(plain.split())
    if max_len is not None and len(plain) > max_len:
        plain = plain[: max(max_len - 1, 0)].rstrip() + "…"
    out = _MD_SPECIAL.sub(r"\\\1", plain)
    return out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_link(text: object, url: object) -> str:
    """A Markdown link ``[escaped text](url)`` when ``url`` is http(s), else just the escaped text."""
    label = md_escape(text) or "…"
    link = safe_url(url)
    if not link:
        return label
    link = link.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{label}]({link})"


def plain_message(text: object, max_len: int = 400) -> str:
    """Text for ``st.text``/messages: one line, no control or bidi characters, at most ``max_len`` characters."""
    plain = " ".join(_CONTROLS.sub("", "" if text is None else str(text)).split())
    return plain if len(plain) <= max_len else plain[: max_len - 1] + "…"
