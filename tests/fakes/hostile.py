"""A hostile RSS feed: script tags, event handlers, javascript:/data: links, over-long fields, control
characters and right-to-left overrides. Used by the AppTest and browser security tests."""

HOSTILE_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Evil &lt;script&gt;alert('feed')&lt;/script&gt; Feed \u202e</title>
<link>https://evil.example/</link>
<item>
  <title>&lt;script&gt;alert(1)&lt;/script&gt;DeepSeek &lt;img src=x onerror=alert(2)&gt; scoop</title>
  <link>javascript:alert(3)</link>
  <description>&lt;p onclick="x()"&gt;Hi&lt;/p&gt;&lt;img src=x onerror="alert(4)"&gt;
  &amp;lt;script&amp;gt;alert(5)&amp;lt;/script&amp;gt; [click](javascript:alert(6)) tail</description>
  <pubDate>Mon, 27 Jan 2025 10:00:00 +0000</pubDate>
  <guid>hostile-1</guid>
</item>
<item>
  <title>Data link NVIDIA \u202eexe.txt [x](data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg==)</title>
  <link>data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg==</link>
  <description>ctrl\u0007chars and \u202eoverride **bold** $x$ :red[alarm]</description>
  <pubDate>Mon, 27 Jan 2025 11:00:00 +0000</pubDate>
  <guid>hostile-2</guid>
</item>
<item>
  <title>DeepSeek {long}</title>
  <link> JaVaScRiPt:alert(8)</link>
  <description>{long}</description>
  <pubDate>Mon, 27 Jan 2025 12:00:00 +0000</pubDate>
  <guid>hostile-3</guid>
</item>
<item>
  <title>DeepSeek undated &lt;svg onload=alert(9)&gt;</title>
  <link>https://ok.example/undated</link>
  <guid>hostile-4</guid>
</item>
</channel></rss>
""".replace("{long}", "A" * 6000)


# ------------------------------------------------------------------------------------------------------------------
# Hostile commentary uploads (tests/test_hostile_*.py)

#: A valid commentary built around one compare chart; the hostile files below are variations of it.
#: Its news window (2024-06-01..02) holds no real stored item, only the hostile feed's.
COMMENTARY = """\
---
id: hostile-upload
title: Hostile upload
author: Tester
date: "2025-01-26"
language: en
url: null
summary_ko: 요약
summary_en: Summary
sections:
  - id: one
    heading_ko: 하나
    heading_en: One
    chart: {kind: compare, symbols: [NVDA, BABA], start: "2025-01-02", end: "2025-02-28", base_date: "2025-01-24"}
    news: {start: "2024-06-01", end: "2024-06-02", tags: [deepseek]}
claims:
  - id: first
    text_ko: 하나
    text_en: one
    rule: {type: direction, params: {series: NVDA, direction: down}}
    horizons: [1W]
---
<!-- section: one lang: ko -->
한국어 본문.

<!-- section: one lang: en -->
English body.
"""

#: A link that closes the Markdown link early and loads an off-site image when pasted into ``[t](url)``.
BREAKOUT_URL = "https://ok.example/a)![pixel](https://evil.example/pixel.png)[click](https://evil.example/x"


def commentary_with(old: str, new: str, text: str = COMMENTARY) -> str:
    """``text`` with the first ``old`` replaced by ``new`` (which must be there)."""
    assert old in text, old
    return text.replace(old, new, 1)


def alias_bomb(levels: int = 10, refs: int = 9) -> str:
    """YAML lines whose aliases expand to ``refs ** levels`` nodes (1.2 kB for 9**10)."""
    lines = ['lol0: &a0 ["lol"]']
    lines += [f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * refs) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines)


def front_matter_with(yaml_lines: str, text: str = COMMENTARY) -> str:
    """``text`` with ``yaml_lines`` added at the top of its front matter (from line 2)."""
    return commentary_with("---\nid:", f"---\n{yaml_lines}\nid:", text)


def hostile_news_rss(link: str = BREAKOUT_URL) -> str:
    """An RSS file with one DeepSeek item on 2024-06-01 whose link breaks out and whose title has an icon."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hostile news</title><link>https://evil.example/</link>
<item>
  <title>DeepSeek :material/warning: Deep\u200bSeek scoop</title>
  <link>{link.replace("&", "&amp;")}</link>
  <pubDate>Sat, 01 Jun 2024 03:00:00 +0000</pubDate>
  <guid>hostile-breakout-1</guid>
</item>
</channel></rss>
"""


# ------------------------------------------------------------------------------------------------------------------
# A published column with a payload in every field (tests/e2e/test_e2e_security.py, tests/test_hostile_published.py)

#: Every way a piece of reader text could become live on a page: an image and a link to another origin, KaTeX
#: (with a link inside), an icon directive, raw HTML, and data:/javascript: links.
PAYLOADS = ("![pi](http://evil.example/img.png) [pl](http://evil.example/link) $\\href{http://evil.example/k}{k}$ "
            ":material/bug_report: <img src=http://evil.example/h.png> [pd](data:text/html;base64,PHNjcmlwdD4=) "
            "[pj](javascript:alert(1))")
#: Body-only forms: a reference-style image and link, an autolink, a bare address, a www. address, an e-mail.
BODY_EXTRA = ("![ri][r1] [rl][r2] <http://evil.example/auto> http://evil.example/bare www.evil.example x@evil.example"
              "\n\n[r1]: http://evil.example/ref.png\n[r2]: data:text/html,ref")


def _q(text: str) -> str:
    """A YAML single-quoted scalar (backslashes literal; quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def published_hostile_column(column_id: str = "hostile-published") -> str:
    """A valid commentary whose every free-text field carries :data:`PAYLOADS`, with one claim whose id and one
    whose rule value carry them too (both left out by the parser, their errors quoting the file)."""
    p = _q(PAYLOADS)
    bad_series = _q("![rs](http://evil.example/r.png) :material/bug_report:")
    return f"""---
id: {column_id}
title: {_q("Hostile title " + PAYLOADS)}
title_ko: {_q("악성 제목 " + PAYLOADS)}
author: {_q("Mallory " + PAYLOADS)}
author_ko: {_q("말로리 " + PAYLOADS)}
date: "2025-01-26"
language: en
url: null
summary_ko: {p}
summary_en: {p}
symbols: [NVDA, {_q("![sy](http://evil.example/sym.png)")}]
sections:
  - id: one
    heading_ko: {_q("하나 " + PAYLOADS)}
    heading_en: {_q("One " + PAYLOADS)}
    chart: {{kind: compare, symbols: [NVDA, BABA], start: "2025-01-02", end: "2025-02-28", base_date: "2025-01-24"}}
claims:
  - id: fine
    text_ko: {p}
    text_en: {p}
    rule: {{type: direction, params: {{series: NVDA, direction: down}}}}
    horizons: [1W]
  - id: {_q("![ci](http://evil.example/c.png) $k$")}
    text_ko: x
    text_en: x
    rule: {{type: direction, params: {{series: NVDA, direction: down}}}}
    horizons: [1W]
  - id: bad-series
    text_ko: y
    text_en: y
    rule: {{type: direction, params: {{series: {bad_series}, direction: down}}}}
    horizons: [1W]
facts:
  - id: fact-one
    text_ko: {p}
    text_en: {p}
    reported_ko: {p}
    reported_en: {p}
    check: {{symbols: [NVDA], level: 100, side: above, start: "2025-01-02", end: "2025-01-31"}}
---
<!-- section: one lang: ko -->
한국어 본문 {PAYLOADS}

{BODY_EXTRA}

<!-- section: one lang: en -->
English body {PAYLOADS}

{BODY_EXTRA}
"""
