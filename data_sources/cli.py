"""``python -m data_sources``: refresh, import, export and inspect the local store; publish to a shared one.

It prints in English, from the same catalogs the pages word problems with (``catalog``: the data layer returns
codes and parameters, never sentences).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalog import describe, text
from data_sources import settings
from data_sources.errors import Problem
from data_sources.market import added_symbols, refresh
from data_sources.market.status import status_table
from data_sources.store import csv_io
from data_sources.store.atomic import StoreError
from data_sources.store.prices import Store


class ProgressBar:
    """A one-line text progress bar on stderr: ``[#####.....]  50% reading NVDA.csv``."""

    def __init__(self, stream=sys.stderr, width: int = 30) -> None:
        self.stream, self.width = stream, width

    def __call__(self, fraction: float, step: Problem) -> None:
        if not self.stream.isatty() and fraction < 1.0:
            return  # a log file gets the final line only
        message = describe(step, "en")
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
    _add_arguments(sub.add_parser("add", parents=[common], help="add a symbol to the universe"))
    conf = sub.add_parser("settings", help="list every DASHBOARD_* variable: its value here, default and meaning")
    conf.add_argument("--markdown", action="store_true", help="print the README's configuration table")
    args = parser.parse_args(argv)
    if args.command == "settings":
        return _settings(args)
    store = Store(args.data_dir)
    try:
        return _COMMANDS[args.command](store, args)
    except StoreError as exc:
        print(line("error", message=say(exc.problem)), file=sys.stderr)
        return 2


def _settings(args: argparse.Namespace) -> int:
    if args.markdown:
        print(settings.markdown_table())
        return 0
    current = settings.settings()
    for name in settings.Settings.model_fields:
        print(f"{settings.env_name(name)}={getattr(current, name)}")
    return 0


def say(problem: Problem) -> str:
    """A problem in English, from the catalogs (the words a reader of an English page sees)."""
    return describe(problem, "en")


def line(key: str, **params: object) -> str:
    """One of the CLI's own lines (``cli.<key>`` in the catalogs), in English."""
    return text("en", f"cli.{key}", **params)


def _refresh(store: Store, args: argparse.Namespace) -> int:
    report = refresh.refresh_all(store, progress=ProgressBar())
    if report.offline_reason:
        print(line("offline", message=say(report.offline_reason)), file=sys.stderr)
    for problem in report.errors.values():
        print(line("problem", message=say(problem)), file=sys.stderr)
    print(line("refreshed", rows=sum(report.fetched.values()), symbols=len(report.fetched), fresh=len(report.fresh),
               calls=report.download_calls))
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
        from data_sources.news import store as news_store

        report = news_store.import_feed_dir(store.root, feeds, progress=ProgressBar())
        _news_report(report)
        if report.errors:
            warnings.append(f"{len(report.errors)} feed file(s) could not be imported")
    print(f"publishing {store.root} to {target.url}", file=sys.stderr)
    return publish_and_report(store, target, warnings)


def _publish(store: Store, args: argparse.Namespace) -> int:
    if not settings.settings().shared_store:
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
        print(line("not_a_folder", folder=args.folder), file=sys.stderr)
        return 2, False
    report = csv_io.import_folder(store, args.folder, progress=ProgressBar(), replace=args.replace)
    for problem in report.problems:
        print(line("rejected", message=say(problem)), file=sys.stderr)
    for change in report.changes:
        print(line("replaced" if args.replace else "would_change", change=change), file=sys.stderr)
    if report.held:
        print(line("held", count=len(report.changes)), file=sys.stderr)
        return 1, False
    print(line("imported", rows=sum(report.imported.values()), symbols=len(report.imported), folder=args.folder))
    return (1 if report.problems else 0), True


def _export(store: Store, args: argparse.Namespace) -> int:
    paths = csv_io.export_folder(store, args.folder)
    print(line("exported", count=len(paths), folder=args.folder))
    return 0


def _status(store: Store, args: argparse.Namespace) -> int:
    snapshot = store.read()
    table = status_table(snapshot)
    table["note"] = ["; ".join(say(p) for p in notes) for notes in table["note"]]
    print(table.to_string(index=False))
    last = store.last_refresh()
    added = added_symbols.status_frame(store.root, snapshot, last)
    if len(added):
        for column in ("checked", "state"):
            added[column] = [say(p) for p in added[column]]
        added["name"] = added["name"] + " [name: " + added["name_source"] + "]"
        added["added"] = added["added_at"] + " by " + added["added_by"]
        added = added.loc[:, ["symbol", "name", "currency", "added", "checked", "state"]]
        print("\n" + line("added_heading"))
        print(added.to_string(index=False))
    if last:
        told = "; ".join(say(p) for p in last.get("problems", []))
        print("\n" + f"{line('last_refresh', at=last.get('at'), outcome=last.get('outcome'))} {told}".rstrip())
    print(line("store", folder=store.root))
    return 0


def _news_report(report) -> None:
    print("; ".join(say(p) for p in report.summary()))
    for problem in report.problems:
        print(line("problem" if problem.severity == "error" else "warning", message=say(problem.problem)))


def _refresh_news(store: Store, args: argparse.Namespace) -> int:
    from data_sources.news import store as news_store

    report = news_store.refresh_news(store.root, progress=ProgressBar())
    _news_report(report)
    return 1 if report.errors else 0


def _import_feeds(store: Store, args: argparse.Namespace) -> int:
    from data_sources.news import store as news_store

    if not args.folder.is_dir():
        print(line("not_a_folder", folder=args.folder), file=sys.stderr)
        return 2
    report = news_store.import_feed_dir(store.root, args.folder, progress=ProgressBar())
    _news_report(report)
    return 1 if report.errors else 0


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``python -m data_sources add``."""
    parser.add_argument("symbol", help="Yahoo Finance ticker, e.g. 9961.HK, ASML, ^N225")
    parser.add_argument("--name-ko", help="Korean display name")
    parser.add_argument("--name-en", help="English display name")
    parser.add_argument("--currency", help="ISO 4217 code of the quote currency, e.g. USD, HKD, KRW")
    parser.add_argument("--replace", action="store_true", help="replace a symbol added before")


def _add(store: Store, args: argparse.Namespace) -> int:
    """Add a symbol to ``store``'s universe; print what was stored and that it is not fetched yet."""
    offline = settings.settings().offline
    try:
        row = added_symbols.add_symbol(args.symbol, args.name_ko, args.name_en, args.currency, store.root,
                                       replace=args.replace, lookup=None if offline else added_symbols.yahoo_lookup)
    except added_symbols.SymbolError as exc:
        print(line("add_refused", symbol=args.symbol, message=say(exc.problem)), file=sys.stderr)
        return 2
    if row["validated"] == "yahoo":
        checked = line("added_checked", name=row["yahoo_name"])
    elif offline:
        checked = line("added_offline")
    else:
        checked = say(Problem("added.unchecked", {"cause": added_symbols.check_note(row)
                                                  or Problem("added.no_lookup")}))
    fetched = row["symbol"] in set(store.load_prices([row["symbol"]])["symbol"])
    print(line("added", symbol=row["symbol"], name_ko=row["name_ko"], name_en=row["name_en"],
               currency=row["currency"], exchange=row["exchange"], checked=checked,
               state=say(Problem("added.fetched" if fetched else "added.not_fetched", {"rows": 0, "last": ""}))))
    return 0


def _refresh_and_publish(store: Store, args: argparse.Namespace) -> int:
    from data_sources.shared.refresher import run_refresher

    return run_refresher(store, args.every, lambda: _refresh(store, args))


_COMMANDS = {"refresh": _refresh_and_publish, "import": _import, "publish": _publish, "health": _health,
             "export": _export, "status": _status, "refresh-news": _refresh_news, "import-feeds": _import_feeds,
             "add": _add}
