"""A column with many claims, generated from a bundled column (its sections, baskets and facts) for the cache
tests and ``python -m benchmarks``: ``big_column(200)`` has the allowed maximum of claims."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "commentary" / "columns" / "baek-2025-01-26.md"
# Every rule type, on single symbols, baskets and the two-source USD/KRW (scored on Yahoo and the ECB).
RULES = (
    "{type: outperform, params: {a: cn_tech, b: us_bigtech, margin_pp: %d}}",
    "{type: direction, params: {series: cn_tech, direction: up, threshold_pct: %d}}",
    "{type: direction, params: {series: NVDA, direction: down, threshold_pct: %d}}",
    "{type: direction, params: {series: KRW=X, direction: down, threshold_pct: %d}}",
    "{type: no_move, params: {symbol: KRW=X, threshold_pct: %d}}",
    "{type: level, params: {symbol: KRW=X, level: 14%02d, side: below}}",
    "{type: outperform, params: {a: BABA, b: NVDA, margin_pp: %d}}",
    "{type: stays, params: {symbol: KRW=X, level: 15%02d, side: below, share_pct: 80}}",
)


def big_column(claims: int = 200, column_id: str = "many-claims") -> str:
    """The text of a column with ``claims`` claims (each rule type in turn, five horizons each)."""
    text = BASE.read_text(encoding="utf-8")
    head, rest = text.split("\nclaims:\n", 1)
    _, tail = rest.split("\nfacts:\n", 1)
    head = head.replace("id: baek-2025-01-26", f"id: {column_id}", 1)
    lines = []
    for i in range(claims):
        rule = RULES[i % len(RULES)] % (1 + i % 7)
        lines.append(f"  - id: claim-{i}\n    section: china-catching-up\n    text_ko: 생성된 주장 {i}번\n"
                     f"    text_en: Generated claim number {i}\n    rule: {rule}\n"
                     "    horizons: [1W, 1M, 3M, 6M, year-end]\n    primary: year-end\n")
    return head + "\nclaims:\n" + "".join(lines) + "facts:\n" + tail
