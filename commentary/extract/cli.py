"""propose FILE — draft claims extracted from a column's text (one row per proposal)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import select
import stat
import sys
import time
from pathlib import Path

from commentary.extract.extractor import extract
from commentary.extract.model import ExtractError, Proposal
from commentary.extract.rules import RulesError, load_rules
from data_sources.market.universe import all_instruments

COLUMNS = ("sentence", "symbols", "rule", "direction", "level", "horizon", "horizon_end", "kind", "confidence",
           "params", "highlight", "notes")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


READ_TIMEOUT_S = 10.0
#: The extractor's notes (codes) in the terminal's words.
NOTES = {
    "extract.too_many_sentences": "only the first {read:,} of {total:,} sentences were read",
    "extract.long_sentences_skipped": "{count:,} sentence(s) longer than {limit:,} characters skipped (the first at "
                                      "character {first_at:,})",
    "extract.budget_ran_out": "stopped after {read:,} of {total:,} sentences: the {seconds:,} s time budget ran out; "
                              "the rest of the text has no proposals",
    "extract.too_many_proposals": "stopped at {limit:,} proposals",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``python -m commentary propose``."""
    parser.add_argument("file", type=Path, help="the column's text (UTF-8; plain text, Markdown or HTML)")
    parser.add_argument("--lang", choices=("ko", "en"), help="analyse every sentence as this language "
                        "(default: Korean for sentences with Hangul, English otherwise)")
    parser.add_argument("--published", "--date", dest="published", metavar="YYYY-MM-DD",
                        help="the column's publication date: needed to place 올해 / this year / three months / "
                        "next week on a date; without it those horizons are printed as unresolved")
    parser.add_argument("--format", choices=("csv", "table"), default="table", help="output format (default table)")
    parser.add_argument("--data-dir", type=Path, help="store folder whose reader-added symbols are known too")
    parser.add_argument("--read-timeout", type=float, default=READ_TIMEOUT_S, metavar="SECONDS",
                        help=f"give up on a pipe or device that sends no end of file within this time "
                        f"(default {READ_TIMEOUT_S:g})")


def _read_bounded(fd: int, path: Path, limit: int, timeout_s: float) -> bytes:
    """At most ``limit`` bytes from ``fd`` up to its end of file, waiting at most ``timeout_s`` in all."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    deadline = time.monotonic() + timeout_s
    chunks: list[bytes] = []
    total = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ExtractError(f"{path}: no end of the text within {timeout_s:g} s ({total:,} bytes read): a pipe or "
                               "device that does not finish; save the text to a file and give that")
        if not poller.poll(max(1, int(remaining * 1000))):
            continue
        try:
            chunk = os.read(fd, min(1 << 16, limit + 1 - total))
        except BlockingIOError:
            continue
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise ExtractError(f"{path}: more than {limit:,} bytes (stopped reading there), more than a "
                               f"{limit // 4:,}-character text can be")


def read_text(path: Path, max_chars: int, timeout_s: float = READ_TIMEOUT_S) -> str:
    """The file's text, or :class:`ExtractError` for a missing, oversize, endless, slow or binary file.

    Reads at most ``4 * max_chars + 1`` bytes (UTF-8 needs at most 4 a character) whatever the file claims to be:
    its size is never trusted (``/dev/zero`` and ``/proc`` files report 0), and a pipe or device gets a deadline.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO with no writer does not block
    except FileNotFoundError as exc:
        raise ExtractError(f"{path}: no such file") from exc
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise ExtractError(f"{path}: is a folder, not a text file")
        raw = _read_bounded(fd, path, max_chars * 4, timeout_s)
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)
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
            "horizon": ("(reported)" if p.horizon is None else f"unresolved ({p.horizon.phrase})"
                        if p.horizon.kind == "unresolved" else p.horizon.value),
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
    except RulesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        published = dt.date.fromisoformat(args.published) if args.published else None
    except ValueError as exc:
        print(f"error: --published {args.published!r}: expected YYYY-MM-DD ({exc})", file=sys.stderr)
        return 2
    if not args.read_timeout > 0:
        print(f"error: --read-timeout {args.read_timeout!r}: expected a positive number of seconds", file=sys.stderr)
        return 2
    try:
        text = read_text(args.file, int(rules.limits["max_text_chars"]), args.read_timeout)
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
        print("note: " + NOTES.get(note.code, note.code).format(**note.params), file=sys.stderr)
    if published is None:
        unresolved = sum(1 for p in result.proposals if p.horizon is not None and p.horizon.kind == "unresolved")
        print(f"note: no --published date given: {unresolved} relative horizon(s) (this year, next week, three months"
              ") stay unresolved; give --published YYYY-MM-DD to place them on dates", file=sys.stderr)
    return 0
