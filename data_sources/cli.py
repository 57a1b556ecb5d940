"""``python -m data_sources``: refresh, import, export and inspect the local store; publish to a shared one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data_sources import csv_io, custom_symbols, refresh
from data_sources.atomic import StoreError
from data_sources.status import status_table
from data_sources.store import Store


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
    """Entry point; returns the process exit code (0 ok, 1 partial/problems or nothing published, 2 failure or bad
    usage, 3 published to the shared store with warnings)."""
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
    imp = sub.add_parser("import", parents=[common], help="load a folder of SYMBOL.csv snapshots into the store "
                         "(and publish it when $DASHBOARD_STORE_URL is s3://)")
    pub = sub.add_parser("publish", parents=[common], help="seed the shared store ($DASHBOARD_STORE_URL=s3://…) from "
                         "a folder of SYMBOL.csv snapshots, with the bundled ECB rates")
    for command in (imp, pub):
        command.add_argument("folder", type=Path)
        command.add_argument("--replace", action="store_true",
                             help="let the import change stored values (without it, such an import lists them and "
                                  "stores nothing)")
    pub.add_argument("--feeds", type=Path, metavar="FOLDER", help="also publish saved news feed files (RSS/Atom)")
    health = sub.add_parser("health", parents=[common], help="exit 0 when the refresher published within --max-age")
    health.add_argument("--max-age", default="2h", help="e.g. 2h, 90m (default 2h)")
    exp = sub.add_parser("export", parents=[common], help="write the store back out as SYMBOL.csv files")
    exp.add_argument("folder", type=Path)
    sub.add_parser("status", parents=[common], help="print what the store holds, per symbol")
    sub.add_parser("refresh-news", parents=[common], help="fetch every configured news feed")
    feeds = sub.add_parser("import-feeds", parents=[common], help="load saved feed files (RSS/Atom) from a folder")
    feeds.add_argument("folder", type=Path)
    custom_symbols.add_arguments(sub.add_parser("add", parents=[common], help="add a symbol to the universe"))
    args = parser.parse_args(argv)
    store = Store(args.data_dir)
    try:
        return _COMMANDS[args.command](store, args)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


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
    """Import a CSV folder into the local store; with a shared store configured, publish it too (an import
    never silently stays in a folder no replica reads)."""
    from data_sources.shared.object_store import S3Store, open_store

    target = open_store()
    code, stored = _import_folder(store, args)
    if not isinstance(target, S3Store) or not stored:
        return code
    from data_sources.shared.refresher import publish_and_report

    refresh.ensure_bundled_ecb(store)  # replicas never write: the shared store carries the ECB rates
    warnings = ["some rows were rejected (listed above)"] if code else []
    feeds = getattr(args, "feeds", None)
    if feeds is not None:
        from data_sources import news_store

        report = news_store.import_feed_dir(store.root, feeds, progress=ProgressBar())
        print(report)
        if report.errors:
            warnings.append(f"{len(report.errors)} feed file(s) could not be imported")
    print(f"publishing {store.root} to {target.url}", file=sys.stderr)
    return publish_and_report(store, target, warnings)


def _publish(store: Store, args: argparse.Namespace) -> int:
    from data_sources.shared import settings

    if not settings.is_shared_url(settings.store_url()):
        print("error: publish needs DASHBOARD_STORE_URL=s3://bucket/prefix (and DASHBOARD_S3_ENDPOINT for MinIO); "
              "to load a local folder use: python -m data_sources import FOLDER", file=sys.stderr)
        return 2
    return _import(store, args)


def _health(store: Store, args: argparse.Namespace) -> int:
    from data_sources.shared.refresher import health

    return health(store, args.max_age)


def _import_folder(store: Store, args: argparse.Namespace) -> tuple[int, bool]:
    """(exit code, whether the local store may be published: the folder was read and nothing held back)."""
    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 2, False
    report = csv_io.import_folder(store, args.folder, progress=ProgressBar(), replace=args.replace)
    for problem in report.problems:
        print(f"rejected: {problem}", file=sys.stderr)
    verb = "replaced" if args.replace else "would change"
    for change in report.changes:
        print(f"{verb}: {change}", file=sys.stderr)
    if report.held:
        print(f"nothing stored: the import would change {len(report.changes)} stored value(s) listed above; "
              f"run again with --replace to store it", file=sys.stderr)
        return 1, False
    print(f"imported {sum(report.imported.values())} rows for {len(report.imported)} symbols from {args.folder}")
    return (1 if report.problems else 0), True


def _export(store: Store, args: argparse.Namespace) -> int:
    paths = csv_io.export_folder(store, args.folder)
    print(f"wrote {len(paths)} files to {args.folder}")
    return 0


def _status(store: Store, args: argparse.Namespace) -> int:
    snapshot = store.read()
    table = status_table(snapshot)
    print(table.to_string(index=False))
    last = store.last_refresh()
    added = custom_symbols.status_frame(store.root, snapshot, last)
    if len(added):
        print("\nadded symbols (python -m data_sources add):")
        print(added.to_string(index=False))
    if last:
        print(f"\nlast refresh: {last.get('at')} {last.get('outcome')} {last.get('message', '')}".rstrip())
    print(f"store: {store.root}")
    return 0


def _refresh_news(store: Store, args: argparse.Namespace) -> int:
    from data_sources import news_store

    report = news_store.refresh_news(store.root, progress=ProgressBar())
    print(report)
    return 1 if report.errors else 0


def _import_feeds(store: Store, args: argparse.Namespace) -> int:
    from data_sources import news_store

    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 2
    report = news_store.import_feed_dir(store.root, args.folder, progress=ProgressBar())
    print(report)
    return 1 if report.errors else 0


def _refresh_and_publish(store: Store, args: argparse.Namespace) -> int:
    from data_sources.shared.refresher import run_refresher

    return run_refresher(store, args.every, lambda: _refresh(store, args))


_COMMANDS = {"refresh": _refresh_and_publish, "import": _import, "publish": _publish, "health": _health,
             "export": _export, "status": _status, "refresh-news": _refresh_news, "import-feeds": _import_feeds,
             "add": custom_symbols.run_add}
