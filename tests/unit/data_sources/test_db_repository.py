"""Reader-written data in a database: the same tests on SQLite and on a real PostgreSQL (127.0.0.1)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from data_sources.readers import repository as repo_module
from data_sources.readers.engine import db_url, make_engine, migrate
from data_sources.readers.models import Base
from data_sources.readers.notes import AnnotationError
from data_sources.readers.repository import Repository, RepositoryError, open_repository
from tests.fakes.pg_server import new_database, pg_server  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[3]
RANGE = {"data_start": "2024-01-02", "data_end": "2025-03-31"}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'readers.sqlite3'}"
    return new_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def repo(url) -> Repository:
    return open_repository(url)


def test_notes_are_added_listed_and_deleted_per_notebook(repo):
    mine, theirs = repo.create_notebook("mine"), repo.create_notebook()
    first = repo.add_note(mine, "2025-01-27", "DeepSeek <b>shock</b>", "Nasdaq -3%\nline 2", **RANGE)
    repo.add_note(mine, "2025-01-20", "before", **RANGE)
    repo.add_note(theirs, "2025-01-28", "not yours", **RANGE)

    notes = repo.list_notes(mine)
    assert list(notes.columns) == ["id", "date", "label", "note", "created_at", "notebook"]  # the annotations frame
    assert set(notes["notebook"]) == {mine}
    assert notes["label"].tolist() == ["before", "DeepSeek <b>shock</b>"]  # by date; HTML kept as literal text
    assert notes["note"].tolist() == ["", "Nasdaq -3%\nline 2"]
    assert str(notes["date"].dtype) == "datetime64[ns]" and str(notes["created_at"].dtype) == "datetime64[ns]"

    assert not repo.delete_note(theirs, first)  # another notebook cannot delete my note
    assert len(repo.list_notes(mine)) == 2
    assert repo.delete_note(mine, first)
    assert not repo.delete_note(mine, first)
    assert repo.list_notes(mine)["label"].tolist() == ["before"]
    assert repo.list_notes(theirs)["label"].tolist() == ["not yours"]


def test_a_note_for_a_new_notebook_id_creates_it(repo):
    repo.add_note("reader-token-1234", "2025-01-27", "first", **RANGE)
    assert repo.notebook_exists("reader-token-1234")
    assert repo.list_notes("reader-token-1234")["label"].tolist() == ["first"]


def test_bad_notes_get_specific_messages_and_store_nothing(repo):
    book = repo.create_notebook()
    with pytest.raises(AnnotationError, match=r"date 2026-01-01 is outside the data range 2024-01-02 \.\. 2025-03-31"):
        repo.add_note(book, "2026-01-01", "late", **RANGE)
    with pytest.raises(AnnotationError, match="label has 61 characters; at most 60"):
        repo.add_note(book, "2025-01-27", "x" * 61, **RANGE)
    with pytest.raises(RepositoryError, match=r"notebook id '\.\./etc' is not 8-64 letters"):
        repo.add_note("../etc", "2025-01-27", "x", **RANGE)
    assert repo.list_notes(book).empty


def test_a_notebook_holds_a_bounded_number_of_notes(repo, monkeypatch):
    monkeypatch.setattr(repo_module, "NOTES_PER_NOTEBOOK_MAX", 3)
    book = repo.create_notebook()
    for day in ("2025-01-20", "2025-01-21", "2025-01-22"):
        repo.add_note(book, day, "ok", **RANGE)
    with pytest.raises(RepositoryError, match="notebook has 3 notes; at most 3"):
        repo.add_note(book, "2025-01-23", "one too many", **RANGE)
    assert len(repo.list_notes(book)) == 3


def test_commentaries_are_saved_once_per_text_and_kept_private(repo):
    book, other = repo.create_notebook(), repo.create_notebook()
    body = "---\ntitle: 딥시크 충격\n---\n미국 빅테크 <script>x</script>"
    first = repo.save_commentary(book, "딥시크 충격과 2025년", body, author="백석현", published="2025-01-26",
                                 source_url="https://brunch.co.kr/@example/1")
    assert repo.save_commentary(book, "again", body) == first
    [saved] = repo.list_commentaries(book)
    assert (saved.title, saved.author, saved.published.isoformat(), saved.body) == (
        "딥시크 충격과 2025년", "백석현", "2025-01-26", body)
    assert repo.list_commentaries(other) == []
    assert not repo.delete_commentary(other, first)
    assert repo.delete_commentary(book, first) and repo.list_commentaries(book) == []


def test_a_column_is_private_until_published_then_in_every_readers_library(repo):
    book, other = repo.create_notebook(), repo.create_notebook()
    first = repo.save_commentary(book, "내 칼럼", "body one", author="김필자", published="2025-04-03")
    second = repo.save_commentary(book, "draft", "body two")
    assert repo.list_published() == []  # saved is not published
    assert not repo.publish_commentary(other, first)  # another notebook cannot publish my column
    assert repo.list_published() == []
    assert repo.publish_commentary(book, first)
    [shown] = repo.list_published()
    assert (shown.id, shown.title, shown.author, shown.body) == (first, "내 칼럼", "김필자", "body one")
    assert shown.published_at is not None
    assert book not in repr(shown)  # the library never hands out the author's notebook key
    moment = shown.published_at
    assert repo.publish_commentary(book, first)  # publishing again keeps the first moment
    assert repo.list_published()[0].published_at == moment
    mine = {c.id: c.published_at for c in repo.list_commentaries(book)}
    assert mine[first] == moment and mine[second] is None
    assert not repo.publish_commentary(other, first, published=False)  # nor take it back
    assert [c.id for c in repo.list_published()] == [first]
    assert repo.publish_commentary(book, first, published=False)
    assert repo.list_published() == []
    assert [c.body for c in repo.list_commentaries(book)] == ["body two", "body one"]  # nothing lost
    assert not repo.publish_commentary(book, "no-such-id")


def test_migration_0002_keeps_what_0001_stored(url):
    from alembic import command

    from data_sources.readers.engine import alembic_config

    engine = make_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO notebooks (id, title, created_at) VALUES ('book-0001-abc', '', "
                          "'2025-01-27 00:00:00+00:00')"))
        conn.execute(text("INSERT INTO commentaries (id, notebook_id, title, author, source_url, body, sha256, "
                          "created_at) VALUES ('c1', 'book-0001-abc', 'old', 'a', '', 'old body', 'x', "
                          "'2025-01-27 00:00:00+00:00')"))
    migrate(engine)
    repo = Repository(engine)
    [old] = repo.list_commentaries("book-0001-abc")
    assert (old.body, old.published_at) == ("old body", None)
    assert repo.publish_commentary("book-0001-abc", "c1") and repo.list_published()[0].body == "old body"
    engine.dispose()


def test_bad_commentaries_are_refused_with_the_limit(repo):
    book = repo.create_notebook()
    with pytest.raises(RepositoryError, match="commentary is 262145 bytes; at most 262144"):
        repo.save_commentary(book, "big", "x" * (256 * 1024 + 1))
    with pytest.raises(RepositoryError, match="commentary title is empty"):
        repo.save_commentary(book, " \x00 ", "body")
    with pytest.raises(RepositoryError, match="source_url 'javascript:alert\\(1\\)' is not an http\\(s\\) address"):
        repo.save_commentary(book, "t", "body", source_url="javascript:alert(1)")
    with pytest.raises(RepositoryError, match="published 'soon' is not a date"):
        repo.save_commentary(book, "t", "body", published="soon")
    assert repo.list_commentaries(book) == []


def test_feeds_are_followed_once_and_only_http(repo):
    book = repo.create_notebook()
    feed = repo.add_feed(book, "https://www.hankyung.com/feed/finance", "한경 증권")
    assert repo.add_feed(book, "https://www.hankyung.com/feed/finance") == feed
    assert [(f.url, f.title) for f in repo.list_feeds(book)] == [("https://www.hankyung.com/feed/finance", "한경 증권")]
    with pytest.raises(RepositoryError, match="feed url 'file:///etc/passwd' is not an http\\(s\\) address"):
        repo.add_feed(book, "file:///etc/passwd")
    assert repo.remove_feed(book, feed) and repo.list_feeds(book) == []


def test_deleting_a_notebook_deletes_what_is_in_it(repo):
    book = repo.create_notebook()
    repo.add_note(book, "2025-01-27", "n", **RANGE)
    repo.save_commentary(book, "c", "body")
    repo.add_feed(book, "https://example.com/rss")
    assert repo.delete_notebook(book)
    assert repo.list_notes(book).empty and repo.list_commentaries(book) == [] and repo.list_feeds(book) == []
    assert not repo.notebook_exists(book)


def test_migrations_build_exactly_the_models_and_rerun_as_a_no_op(url):
    engine = make_engine(url)
    migrate(engine)
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0002"
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []
    assert {"notebooks", "notes", "commentaries", "feeds"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_head_revision_is_alembics_head():
    from alembic.script import ScriptDirectory

    from data_sources.readers.engine import HEAD_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


OPEN_AND_LIST = "import sys; from data_sources.readers.repository import open_repository; " \
    "open_repository(sys.argv[1]).list_notes('notebook-1'); print('alembic' in sys.modules)"


def test_a_database_at_head_is_opened_without_importing_alembic(url):
    def alembic_imported() -> bool:
        done = subprocess.run([sys.executable, "-c", OPEN_AND_LIST, url], cwd=ROOT, capture_output=True, text=True,
                              timeout=120, check=True)
        return done.stdout.strip().splitlines()[-1] == "True"

    assert alembic_imported()  # a fresh database: migrated (Alembic imported to do it)
    assert not alembic_imported()  # now at head: one query, no Alembic


WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from data_sources.readers.repository import open_repository
    url, notebook, count, barrier, me = sys.argv[1:6]
    Path(barrier, me).touch()
    while len(list(Path(barrier).iterdir())) < 2:
        time.sleep(0.005)
    repo = open_repository(url)   # both processes migrate a fresh database at once, too
    for i in range(int(count)):
        repo.add_note(notebook, "2025-01-27", f"{me}-{i}", data_start="2025-01-01", data_end="2025-01-31")
    print("done")
""")


def test_two_processes_writing_notes_at_once_lose_none(url, tmp_path):
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    count = 150
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, "shared-notebook", str(count), str(barrier), str(i)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0 and "done" in out, err
    labels = open_repository(url).list_notes("shared-notebook")["label"].tolist()
    assert len(labels) == 2 * count
    assert sorted(labels) == sorted(f"{me}-{i}" for me in range(2) for i in range(count))


def test_the_default_database_is_sqlite_in_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DASHBOARD_DB_URL", raising=False)
    assert db_url() == f"sqlite:///{tmp_path / 'readers.sqlite3'}"
    monkeypatch.setenv("DASHBOARD_DB_URL", "postgresql://u:p@db:5432/dashboard")
    assert db_url() == "postgresql+psycopg://u:p@db:5432/dashboard"


def test_opening_a_fresh_sqlite_file_waits_for_another_writer_before_switching_to_wal(tmp_path):
    """SQLite refuses the WAL switch at once (no busy wait) while another connection holds the write
    lock: two replicas opening a new file together. The engine must wait its turn, not fail."""
    path = tmp_path / "fresh.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    releaser = threading.Timer(0.5, other.execute, args=("COMMIT",))
    releaser.start()
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 1
    finally:
        releaser.join()
        other.close()
        engine.dispose()


def test_sqlite_is_in_wal_mode_so_readers_do_not_block_writers(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    engine.dispose()
