"""A claim's text shortened for a one-line summary (the scorecard keeps it whole)."""

from __future__ import annotations

import re

_ASIDE = re.compile(r"\s*\([^()]*\)\s*(?=[.。]?\s*$)")  # a closing parenthetical, before an optional full stop


def short_claim(text: str) -> str:
    """``text`` without its closing parenthetical aside (a reading note such as "(read strictly, …)").

    Only an aside at the very end goes; a text that is nothing but an aside is kept as it is.
    """
    return _ASIDE.sub("", text).strip() or text
