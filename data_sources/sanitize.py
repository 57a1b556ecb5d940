"""Turn untrusted feed text and links into something safe to show as plain text.

Every title, summary and link that comes out of a feed goes through here before it is
stored. :func:`plain_text` removes *all* markup (nh3 with no allowed tags; script and
style contents are dropped), decodes entities, removes control characters and Unicode
bidi overrides, and collapses whitespace. Because feeds often escape their HTML twice,
the clean-and-unescape step repeats until the text stops changing, so escaped markup
such as ``&lt;script&gt;`` cannot come back as a tag. :func:`safe_url` keeps only
``http``/``https`` links. Pages must still render the results as text, never as HTML.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

import nh3

#: Bidi embedding/override/isolate controls and direction marks, which can reorder text on screen.
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)] + ["\u200e", "\u200f", "\u061c"]
)
ELLIPSIS = "…"
_MAX_PASSES = 4
_BLOCK_TAG = re.compile(
    r"<(/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|tr|td|th|table|thead|tbody|h[1-6]|blockquote|pre|section|article|"
    r"header|footer|figure|figcaption)\b)",
    re.IGNORECASE,
)
_SPACE_CONTROL = re.compile(r"[\t\n\r\f\v]")
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\ufeff\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS)) + "]"
)
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_URL_UNSAFE = {c: f"%{ord(c):02X}" for c in ' "<>`{}|\\^'}


def _drop_controls(text: str) -> str:
    """Remove control characters, surrogates, BOMs and bidi controls (tabs/newlines become spaces)."""
    return _CONTROL.sub("", _SPACE_CONTROL.sub(" ", text))


def truncate_text(text: str, max_len: int) -> str:
    """Shorten ``text`` to at most ``max_len`` characters, ending with an ellipsis when cut.

    Cuts at the last space when that keeps at least 60% of the allowed length.
    """
    if max_len <= 0:
        return ""
    if len(text) <= max_len:
        return text
    cut = text[: max_len - 1]
    space = cut.rfind(" ")
    if space >= int(max_len * 0.6):
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + ELLIPSIS


def plain_text(html_or_text: object, max_len: int | None = None) -> str:
    """Plain, single-line text from an HTML fragment or text: no tags, no entities, no controls.

    ``None`` gives ``""``. With ``max_len`` the result is cut to that many characters
    (ending in ``…``). The result may contain ``<`` or ``&`` as literal characters (e.g.
    ``"x < y"``), but never the start of a tag such as ``<script``.
    """
    if html_or_text is None:
        return ""
    text = html_or_text if isinstance(html_or_text, str) else str(html_or_text)
    text = _drop_controls(text)
    for _ in range(_MAX_PASSES):
        # keep words apart where block elements separated them
        cleaned = html.unescape(nh3.clean(_BLOCK_TAG.sub(r" <\1", text), tags=set()))
        cleaned = _drop_controls(cleaned)
        if cleaned == text:
            break
        text = cleaned
    # escaped more times than we unescape: make sure no tag start survives
    text = _TAG_START.sub("", text)
    text = " ".join(text.split())
    if max_len is not None:
        text = truncate_text(text, max_len)
    return text


def safe_url(url: object) -> str:
    """``url`` if it is an absolute http(s) address, else ``""``.

    Leading/trailing whitespace and control characters are stripped and embedded
    tabs/newlines removed first (as browsers do), so ``" JaVa\\tScript:..."`` is caught;
    characters that could break out of an attribute or a Markdown link are percent-encoded.
    """
    if not isinstance(url, str):
        return ""
    text = "".join(ch for ch in url if ch not in BIDI_CONTROLS and ch != "\ufeff")
    text = text.strip("".join(chr(c) for c in range(0x21)) + "\x7f \u00a0")
    text = re.sub(r"[\t\n\r]", "", text)
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return text.translate(str.maketrans(_URL_UNSAFE))
