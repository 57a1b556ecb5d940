"""Hostile text for the page helpers: link breakout, backslash tricks, icon directives, zero-width characters."""

from __future__ import annotations

import re

import pytest

from commentary.text.safe_text import MAX_URL_CHARS, md_body, md_escape, md_link
from tests.fakes.hostile import BREAKOUT_URL

#: One CommonMark inline link and nothing else: a label whose brackets are all escaped, then a destination
#: with no whitespace, parentheses, angle brackets or backslashes, so the first ")" ends it.
ONE_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\]\(([^\s()<>\\]+)\)")


def _link_parts(markdown: str) -> tuple[str, str]:
    match = ONE_LINK.fullmatch(markdown)
    assert match, f"not exactly one inert link: {markdown!r}"
    return match.group(1), match.group(2)


@pytest.mark.parametrize("url", [
    BREAKOUT_URL,
    "https://ok.example/a) ![x](https://evil.example/p.png)",
    "https://ok.example/a(b)c",
    "https://ok.example/a\\)b",
    "https://ok.example/a b\tc\nd",
    "https://ok.example/<script>",
    "https://ok.example/a\u00a0\u2028\u3000b",
    'https://ok.example/a "title"',
    "https://ok.example/x>[y](https://evil.example/)",
])
def test_md_link_cannot_be_broken_out_of(url: str) -> None:
    label, destination = _link_parts(md_link("Title (with) [brackets]", url))
    assert destination.startswith("https://ok.example/")
    assert "evil.example/p.png)" not in destination
    assert label == r"Title \(with\) \[brackets\]"


def test_md_link_keeps_an_ordinary_address() -> None:
    assert md_link("R1", "https://example.com/a?b=1&c=2#x") == "[R1](https://example.com/a?b=1&c=2#x)"


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\nscript:alert(1)", "data:text/html,<script>x</script>",
    "vbscript:x", "//evil.example/", "https://ok.example/" + "a" * MAX_URL_CHARS, None, 42,
])
def test_md_link_gives_plain_text_for_unsafe_or_absurd_addresses(url: object) -> None:
    out = md_link("t[x](y)", url)
    assert out == r"t\[x\]\(y\)"


def test_md_escape_escapes_backslashes() -> None:
    # without the backslash escape, "\" + "[" would turn our "\[" into "\\[": a literal backslash, then a live link
    out = md_escape(r"\[click](https://evil.example/) \*bold\*")
    assert out == r"\\\[click\]\(https""\u2060" r"\://evil\.example/\) \\\*bold\\\*"  # (a word joiner: no auto-link)


@pytest.mark.parametrize("text", [
    ":material/warning: alarm", ":MATERIAL/home: x", "a:material/delete:b", ":streamlit: logo", ":rocket: launch",
])
def test_icon_and_emoji_directives_are_neutralised(text: str) -> None:
    out = md_escape(text)
    # Streamlit rewrites ":material/" in the *source*, then turns ":material_name:", ":streamlit:" and
    # ":shortcode:" into icons in the parsed text (escapes already undone): neither may appear
    unescaped = re.sub(r"\\(.)", r"\1", out.replace(":material/", ":material_"))
    assert not re.search(r":material_\w+:|:streamlit:|:[\w+-]+:", unescaped, re.IGNORECASE), unescaped
    assert out.replace("\u2060", "").replace("\\", "") == text  # still reads the same


def test_ordinary_colons_are_left_alone() -> None:
    assert md_escape("At 10:30, note: x") == r"At 10\:30, note\: x"


@pytest.mark.parametrize("hidden", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_zero_width_characters_are_removed(hidden: str) -> None:
    assert md_escape(f"Deep{hidden}Seek") == "DeepSeek"
    assert md_body(f"Deep{hidden}Seek") == "DeepSeek"


def test_md_body_keeps_formatting_but_loads_nothing() -> None:
    body = ("# Heading\n\n**bold** and [a link](https://ok.example/)\n\n![pixel](https://evil.example/p.png)"
            " ![ref][img] <img src=x onerror=alert(1)> :material/warning:\n\n[img]: https://evil.example/q.png")
    out = md_body(body)
    assert "**bold**" in out and out.startswith("# Heading")  # formatting kept
    # links and images read as typed: no bracket, "://" or reference definition is left unescaped
    assert "\\[a link\\](https\u2060://ok.example/)" in out and r"!\[pixel\]" in out and r"!\[ref\]\[img\]" in out
    assert re.search(r"(?<!\\)[\[\]]", out) is None and "\n\\[img\\]: " in out
    assert "<img" not in out and "&lt;img" in out
    assert ":material/" not in out


#: Where GFM starts an automatic link in text (it does so after backslash escapes are undone).
AUTOLINK_START = re.compile(r"(?i)\b(https?|ftp|mailto):|\bwww\.|@[-\w]", re.ASCII)


@pytest.mark.parametrize("body", [
    "[x](data:text/html;base64,PHNjcmlwdD4=)", "\\[x\\](data:text/html,a)", "[x][r]\n\n[r]: data:text/html,a",
    "<data:text/html,a>", "see https://evil.example/x, HTTP://x.y, www.evil.example, a@evil.example", "$\\href{x}{y}$",
    ":red[alarm] :material/bug_report: :skull:",
])
def test_md_body_leaves_no_link_math_or_directive(body: str) -> None:
    out = md_body(body)
    unescaped = re.sub(r"\\.", "", out)  # what is left once every backslash escape is taken out
    assert not set("[]$<") & set(unescaped)
    assert AUTOLINK_START.search(out) is None  # nothing GFM would turn into a link
    assert re.search(r":(material/|skull:)", out) is None


def test_md_escape_leaves_no_address_to_auto_link() -> None:
    typed = "see https://evil.example/x, HTTP://x.y, www.evil.example and a@evil.example"
    out = md_escape(typed)
    assert AUTOLINK_START.search(re.sub(r"\\(.)", r"\1", out)) is None
    assert out.replace("\u2060", "").replace("\\", "") == typed  # the reader still reads every character
