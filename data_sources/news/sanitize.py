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
#: Zero-width characters that can hide a keyword from tagging and search (``Deep\u200bSeek``).
ZERO_WIDTH = frozenset(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
ELLIPSIS = "…"
#: Clean-and-unescape rounds before giving up on text escaped ever more times (it stops when stable).
MAX_PASSES = 32
#: Characters of HTML looked at (the rest is dropped before nh3 sees it); shown text is far shorter.
MAX_HTML_CHARS = 100_000
#: Deepest element nesting passed to nh3; markup past it is dropped (html5ever slows down with depth).
MAX_HTML_DEPTH = 128
_NOT_COUNTED = frozenset({  # void elements, and those closed implicitly by the next one
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption",
    "rt", "rp", "rb", "rtc",
})
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")
#: ``<`` still entity-encoded (at any depth of ``&amp;``) after the last round: one more unescape would make it a tag
_ESCAPED_LT = re.compile(r"&(?:amp;)*(?:lt|#0*60|#x0*3c)(?:;|(?![A-Za-z0-9]))", re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"<(/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|tr|td|th|table|thead|tbody|h[1-6]|blockquote|pre|section|article|"
    r"header|footer|figure|figcaption)\b)",
    re.IGNORECASE,
)
_SPACE_CONTROL = re.compile(r"[\t\n\r\f\v]")
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS | ZERO_WIDTH)) + "]"
)
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_URL_UNSAFE = {c: f"%{ord(c):02X}" for c in ' "<>`{}|\\^'}


def _drop_controls(text: str) -> str:
    """Remove control characters, surrogates, BOMs and bidi controls (tabs/newlines become spaces)."""
    return _CONTROL.sub("", _SPACE_CONTROL.sub(" ", text))


def _cap_nesting(markup: str, max_depth: int | None = None) -> str:
    """``markup`` cut where more than ``max_depth`` elements are open at once (one linear scan).

    An end tag only closes an element of its own name that is open, so stray end tags (which leave
    html5ever's list of open formatting elements growing) do not hide the depth; elements the parser
    closes by itself (``p``, ``li``, table cells, …) are not counted.
    """
    max_depth = MAX_HTML_DEPTH if max_depth is None else max_depth
    if markup.count("<") <= max_depth:
        return markup
    open_by_name: dict[str, int] = {}
    depth = 0
    for match in _TAG.finditer(markup):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name in _NOT_COUNTED or self_closing:
            continue
        if closing:
            if open_by_name.get(name):
                open_by_name[name] -= 1
                depth -= 1
        else:
            open_by_name[name] = open_by_name.get(name, 0) + 1
            depth += 1
            if depth > max_depth:
                return markup[: match.start()]
    return markup


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
    text = _cap_nesting(_drop_controls(text[:MAX_HTML_CHARS]))
    for _ in range(MAX_PASSES):
        # keep words apart where block elements separated them
        cleaned = html.unescape(nh3.clean(_BLOCK_TAG.sub(r" <\1", text), tags=set()))
        cleaned = _drop_controls(cleaned)
        if cleaned == text:
            break
        text = cleaned
    # escaped more times than we unescape: no tag start may survive, now or after one more unescape
    text = _ESCAPED_LT.sub("", text)
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
    text = "".join(ch for ch in url if ch not in BIDI_CONTROLS and ch not in ZERO_WIDTH)
    text = text.strip("".join(chr(c) for c in range(0x21)) + "\x7f \u00a0")
    text = re.sub(r"[\t\n\r]", "", text)
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return text.translate(str.maketrans(_URL_UNSAFE))
