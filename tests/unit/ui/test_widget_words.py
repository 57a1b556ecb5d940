"""The style sheet that words Streamlit's uploader and date slots: a catalog string cannot end the style element
or the CSS string it is put in."""

from __future__ import annotations

import re

from ui.widget_words import _css_string


def test_catalog_words_stay_inside_one_css_string_and_the_style_element() -> None:
    quoted = _css_string('파일 "고르기"\\ </style><script>alert(1)</script>\n다음')
    assert "<" not in quoted and ">" not in quoted  # no markup: the style element cannot be closed
    assert "\n" not in quoted
    assert re.fullmatch(r'"(?:[^"\\]|\\.)*"', quoted), quoted  # one string: every inner quote escaped
    assert "파일" in quoted and "다음" in quoted  # Korean kept as it is (a \uXXXX escape is not CSS)
