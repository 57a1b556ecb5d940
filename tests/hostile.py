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
