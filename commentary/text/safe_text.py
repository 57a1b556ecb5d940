"""Untrusted text (feeds, reader input, URL parameters, error messages) made inert for ``st.markdown``."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from data_sources.news.sanitize import BIDI_CONTROLS, ZERO_WIDTH, safe_url

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:=^\"'])")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS | ZERO_WIDTH)) + "]")
#: Streamlit turns ``:material/name:``, ``:streamlit:`` and ``:shortcode:`` into icons, a logo and emoji
#: *after* Markdown escapes are undone, so a backslash does not stop them; a word joiner after the colon does.
_DIRECTIVE = re.compile(r":(?=material/|[A-Za-z0-9_+-]+:)", re.IGNORECASE)
_WORD_JOINER = "\u2060"
#: Longest address made into a link (longer ones are shown as text only).
MAX_URL_CHARS = 2048
_LINK_UNSAFE = frozenset('()[]<>\\ "`{}|^')
_BODY_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS | ZERO_WIDTH)) + "]")
#: In an untrusted body: link/image/directive brackets, math, and the backslash itself (else ``\[`` would undo
#: the escape); each gets a backslash.
_BODY_LIVE = re.compile(r"([\\\[\]$])")
#: What GFM's address auto-linking starts from: a scheme before ``:``, ``www`` before ``.``, an e-mail's ``@``.
_AUTOLINK = re.compile(r"\b(?:https?|ftp|mailto|xmpp)(?=\\?:)|\bwww(?=\\?\.)|@", re.IGNORECASE)


def md_escape(text: object, max_len: int | None = None) -> str:
    """``text`` made inert for ``st.markdown``: one line, no controls/bidi overrides, HTML and Markdown escaped.

    ``&``, ``<`` and ``>`` become entities (shown literally, never parsed as tags); every Markdown
    punctuation mark (also ``$`` for LaTeX and ``:`` for Streamlit's ``:color[...]``/emoji syntax) gets a
    backslash. ``max_len`` cuts the *plain* text first (ending in "…"). Bare web and e-mail addresses are
    not auto-linked (:func:`_no_autolink`).
    """
    plain = "" if text is None else str(text)
    plain = unicodedata.normalize("NFC", _CONTROLS.sub("", plain))
    plain = " ".join(plain.split())
    if max_len is not None and len(plain) > max_len:
        plain = plain[: max(max_len - 1, 0)].rstrip() + "…"
    out = _MD_SPECIAL.sub(r"\\\1", _DIRECTIVE.sub(":" + _WORD_JOINER, plain))
    return _no_autolink(out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def md_link(text: object, url: object) -> str:
    """A Markdown link ``[escaped text](url)`` when ``url`` is http(s), else just the escaped text.

    The address is :func:`data_sources.news.sanitize.safe_url` (http/https only, so no ``javascript:`` or
    ``data:``), then every character that could end or confuse a link destination — parentheses,
    brackets, angle brackets, backslashes, any whitespace — is percent-encoded, so the link cannot be
    broken out of. Addresses longer than :data:`MAX_URL_CHARS` give no link.
    """
    label = md_escape(text) or "…"
    link = safe_url(url)
    if not link or len(link) > MAX_URL_CHARS:
        return label
    link = "".join(quote(ch, safe="") if ch in _LINK_UNSAFE or ch.isspace() else ch for ch in link)
    return f"[{label}]({link})"


def md_body(text: object) -> str:
    """An untrusted Markdown narrative made safe for ``st.markdown``: formatting kept, nothing live or loaded.

    Emphasis, lists, headings, quotes and tables stay. Everything that could load, link or run is shown as
    text: HTML is escaped; every ``[``, ``]`` and backslash is escaped, so no link, image, reference definition
    or ``:color[…]`` directive forms (``[x](data:…)``, ``![x](https://…)``, ``[x][1]`` all read as typed);
    bare addresses are not auto-linked (see :func:`_no_autolink`); ``$`` is escaped (no KaTeX); icon/emoji
    directives and zero-width, control and bidi characters are neutralised as in :func:`md_escape`.
    """
    plain = unicodedata.normalize("NFC", _BODY_CONTROLS.sub("", "" if text is None else str(text)))
    plain = _DIRECTIVE.sub(":" + _WORD_JOINER, plain)
    plain = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _no_autolink(_BODY_LIVE.sub(r"\\\1", plain))


def _no_autolink(markdown: str) -> str:
    """GFM turns bare ``http(s)://…``, ``www.…`` and e-mail addresses into links *after* escapes are undone (a
    backslash does not stop it); a word joiner after ``http``/``https``/``www`` and after ``@`` does."""
    return _AUTOLINK.sub(lambda m: m.group(0) + _WORD_JOINER, markdown)


def plain_message(text: object, max_len: int = 400) -> str:
    """Text for ``st.text``/messages: one line, no control or bidi characters, at most ``max_len`` characters."""
    plain = " ".join(_CONTROLS.sub("", "" if text is None else str(text)).split())
    return plain if len(plain) <= max_len else plain[: max_len - 1] + "…"
