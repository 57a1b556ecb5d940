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
