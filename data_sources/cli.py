"""``python -m data_sources``: refresh, import, export and inspect the local store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data_sources import settings
from data_sources.market import added_symbols, refresh
from data_sources.market.status import status_table
from data_sources.store import csv_io
from data_sources.store.atomic import StoreError
from data_sources.store.prices import Store


class ProgressBar:
    """A one-line text progress bar on stderr: ``[#####.....]  50% reading NVDA.csv``."""

    def __init__(self, stream=sys.stderr, width: int = 30) -> None:
        self.stream, self.width = stream, width

    def __call__(self, fraction: float, message: str) -> None:
        if not self.stream.isatty() and fraction < 1.0:
            return  # a log file gets the final line only
        filled = round(max(0.0, min(1.0, fraction)) * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {fraction * 100:3.0f}% {message[:60]:<60}")
        if fraction >= 1.0:
            self.stream.write("\n")
        self.stream.flush()


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (0 ok, 1 partial/problems, 2 failure)."""
    data_dir_help = "store folder (default: $DASHBOARD_DATA_DIR or the user data dir)"
    parser = argparse.ArgumentParser(prog="python -m data_sources", description=__doc__)
    parser.add_argument("--data-dir", type=Path, help=data_dir_help)
    # the same option after the subcommand; SUPPRESS keeps it from resetting a value given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help=data_dir_help)
    sub = parser.add_subparsers(dest="command", required=True)
    ref = sub.add_parser("refresh", parents=[common], help="download what is missing or stale (prices and ECB rates)")
    ref.add_argument("--every", metavar="INTERVAL", help="repeat every INTERVAL (1h, 30m, …) until stopped; "
                     "each run publishes to $DASHBOARD_STORE_URL when that is s3://")
    imp = sub.add_parser("import", parents=[common], help="load a folder of SYMBOL.csv snapshots into the store")
    imp.add_argument("folder", type=Path)
    imp.add_argument("--replace", action="store_true",
                     help="let the import change stored values (without it, such an import lists them and stores "
                          "nothing)")
    exp = sub.add_parser("export", parents=[common], help="write the store back out as SYMBOL.csv files")
    exp.add_argument("folder", type=Path)
    sub.add_parser("status", parents=[common], help="print what the store holds, per symbol")
    sub.add_parser("refresh-news", parents=[common], help="fetch every configured news feed")
    feeds = sub.add_parser("import-feeds", parents=[common], help="load saved feed files (RSS/Atom) from a folder")
    feeds.add_argument("folder", type=Path)
    added_symbols.add_arguments(sub.add_parser("add", parents=[common], help="add a symbol to the universe"))
    conf = sub.add_parser("settings", help="list every DASHBOARD_* variable: its value here, default and meaning")
    conf.add_argument("--markdown", action="store_true", help="print the README's configuration table")
    args = parser.parse_args(argv)
    if args.command == "settings":
        return _settings(args)
    store = Store(args.data_dir)
    try:
        return _COMMANDS[args.command](store, args)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _settings(args: argparse.Namespace) -> int:
    if args.markdown:
        print(settings.markdown_table())
        return 0
    current = settings.settings()
    for name in settings.Settings.model_fields:
        print(f"{settings.env_name(name)}={getattr(current, name)}")
    return 0


def _refresh(store: Store, args: argparse.Namespace) -> int:
    report = refresh.refresh_all(store, progress=ProgressBar())
    if report.offline_reason:
        print(f"offline: {report.offline_reason}; serving stored data", file=sys.stderr)
    for message in report.errors.values():
        print(f"problem: {message}", file=sys.stderr)
    fetched = sum(report.fetched.values())
    print(f"fetched {fetched} rows for {len(report.fetched)} symbols; {len(report.fresh)} already up to date today; "
          f"{report.download_calls} download call(s)")
    return 0 if report.outcome == "ok" else 1


def _import(store: Store, args: argparse.Namespace) -> int:
    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 2
    report = csv_io.import_folder(store, args.folder, progress=ProgressBar(), replace=args.replace)
    for problem in report.problems:
        print(f"rejected: {problem}", file=sys.stderr)
    verb = "replaced" if args.replace else "would change"
    for change in report.changes:
        print(f"{verb}: {change}", file=sys.stderr)
    if report.held:
        print(f"nothing stored: the import would change {len(report.changes)} stored value(s) listed above; "
              f"run again with --replace to store it", file=sys.stderr)
        return 1
    print(f"imported {sum(report.imported.values())} rows for {len(report.imported)} symbols from {args.folder}")
    return 1 if report.problems else 0


def _export(store: Store, args: argparse.Namespace) -> int:
    paths = csv_io.export_folder(store, args.folder)
    print(f"wrote {len(paths)} files to {args.folder}")
    return 0


def _status(store: Store, args: argparse.Namespace) -> int:
    snapshot = store.read()
    table = status_table(snapshot)
    print(table.to_string(index=False))
    last = store.last_refresh()
    added = added_symbols.status_frame(store.root, snapshot, last)
    if len(added):
        print("\nadded symbols (python -m data_sources add):")
        print(added.to_string(index=False))
    if last:
        print(f"\nlast refresh: {last.get('at')} {last.get('outcome')} {last.get('message', '')}".rstrip())
    print(f"store: {store.root}")
    return 0


def _refresh_news(store: Store, args: argparse.Namespace) -> int:
    from data_sources.news import store as news_store

    report = news_store.refresh_news(store.root, progress=ProgressBar())
    print(report)
    return 1 if report.errors else 0


def _import_feeds(store: Store, args: argparse.Namespace) -> int:
    from data_sources.news import store as news_store

    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 2
    report = news_store.import_feed_dir(store.root, args.folder, progress=ProgressBar())
    print(report)
    return 1 if report.errors else 0


def _refresh_and_publish(store: Store, args: argparse.Namespace) -> int:
    from data_sources.shared.refresher import run_refresher

    return run_refresher(store, args.every, lambda: _refresh(store, args))


_COMMANDS = {"refresh": _refresh_and_publish, "import": _import, "export": _export, "status": _status,
             "refresh-news": _refresh_news, "import-feeds": _import_feeds, "add": added_symbols.run_add}
