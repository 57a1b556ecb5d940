"""propose FILE — draft claims extracted from a column's text (one row per proposal)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from pathlib import Path

from commentary.extract.extractor import extract
from commentary.extract.model import ExtractError, Proposal
from commentary.extract.rules import RulesError, load_rules
from data_sources.market.universe import all_instruments

COLUMNS = ("sentence", "symbols", "rule", "direction", "level", "horizon", "horizon_end", "kind", "confidence",
           "params", "highlight", "notes")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``python -m commentary propose``."""
    parser.add_argument("file", type=Path, help="the column's text (UTF-8; plain text, Markdown or HTML)")
    parser.add_argument("--lang", choices=("ko", "en"), help="analyse every sentence as this language "
                        "(default: Korean for sentences with Hangul, English otherwise)")
    parser.add_argument("--date", help="publication date YYYY-MM-DD, to resolve 올해 / next week / by Q3")
    parser.add_argument("--format", choices=("csv", "table"), default="table", help="output format (default table)")
    parser.add_argument("--data-dir", type=Path, help="store folder whose reader-added symbols are known too")


def read_text(path: Path, max_chars: int) -> str:
    """The file's text, or :class:`ExtractError` for a missing, oversize or binary file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ExtractError(f"{path}: no such file") from exc
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if path.is_dir():
        raise ExtractError(f"{path}: is a folder, not a text file")
    if size > max_chars * 4:  # UTF-8 needs at most 4 bytes a character: surely over the limit
        raise ExtractError(f"{path}: {size:,} bytes, more than a {max_chars:,}-character text can be")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if b"\0" in raw[:8192]:
        raise ExtractError(f"{path}: looks like a binary file (NUL bytes), not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(f"{path}: not UTF-8 text (byte {exc.start:,} cannot be decoded)") from exc
    if len(text) > max_chars:
        raise ExtractError(f"{path}: {len(text):,} characters; the limit is {max_chars:,}")
    return text


def _cell(value: str) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def rows(proposals: list[Proposal]) -> list[dict[str, str]]:
    """One flat row per proposal (the CLI's columns)."""
    out = []
    for p in proposals:
        out.append({
            "sentence": p.sentence,
            "symbols": ";".join(p.symbols),
            "rule": p.rule,
            "direction": p.direction or "",
            "level": "" if p.level is None else f"{p.level:g}" + (f" {p.unit}" if p.unit else ""),
            "horizon": p.horizon.value if p.horizon else "(reported)",
            "horizon_end": p.horizon.end.isoformat() if p.horizon and p.horizon.end else "",
            "kind": p.kind,
            "confidence": p.confidence,
            "params": json.dumps(p.params, ensure_ascii=False),
            "highlight": " | ".join(f"{s.kind}:{p.sentence[s.start:s.end]}" for s in p.spans),
            "notes": "; ".join(p.notes),
        })
    return out


def _table(table_rows: list[dict[str, str]]) -> str:
    import pandas as pd

    frame = pd.DataFrame(table_rows, columns=list(COLUMNS))
    frame["sentence"] = frame["sentence"].map(lambda s: s if len(s) <= 48 else s[:47] + "…")
    shown = ["sentence", "symbols", "rule", "direction", "level", "horizon", "kind", "confidence"]
    frame["symbols"] = frame["symbols"].map(lambda s: s if len(s) <= 40 else s[:39] + "…")
    return frame[shown].to_string(index=False)


def run(args: argparse.Namespace) -> int:
    """Print the proposals for ``args.file``; 0 on success, 2 with a one-line message on bad input."""
    try:
        rules = load_rules()
        published = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError as exc:
        print(f"error: --date {args.date!r}: expected YYYY-MM-DD ({exc})" if not isinstance(exc, RulesError)
              else f"error: {exc}", file=sys.stderr)
        return 2
    try:
        text = read_text(args.file, int(rules.limits["max_text_chars"]))
        result = extract(text, published, args.lang, all_instruments(args.data_dir), rules)
    except ExtractError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    table_rows = rows(list(result.proposals))
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in table_rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    elif table_rows:
        print(_table(table_rows))
    else:
        print(f"no draft claims found in {args.file} ({result.sentences} sentences read)")
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if published is None:
        print("note: no --date given; relative horizons (next week, by Q3) stay unresolved", file=sys.stderr)
    return 0
