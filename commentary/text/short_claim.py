"""A claim's text shortened for a one-line summary (the scorecard keeps it whole)."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.。])\s+(?=\S)")  # a full stop and a space, then more text
_ASIDE = re.compile(r"\s*\([^()]*\)\s*(?=[.。]?\s*$)")  # a closing parenthetical, before an optional full stop


def short_claim(text: str) -> str:
    """``text``'s first sentence, without its closing parenthetical aside (a reading note such as
    "(read strictly, …)").

    Only an aside at the very end goes; a text that is nothing but an aside is kept as it is.
    """
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    return _ASIDE.sub("", first).strip() or text
