"""The tables (SQLAlchemy 2.x declarative models). Change them only together with a new migration."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID_LENGTH = 64


class Base(DeclarativeBase):
    """The models' metadata (Alembic compares against it)."""


class Notebook(Base):
    """One reader's private space; its id is the only key to it."""

    __tablename__ = "notebooks"
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    title: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Note(Base):
    """A chart annotation: a date, a short label and an optional note (stored as typed, shown as text)."""

    __tablename__ = "notes"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    notebook_id: Mapped[str] = mapped_column(ForeignKey("notebooks.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_notes_notebook_date", "notebook_id", "date"),)


class Commentary(Base):
    """A column the reader saved (its Markdown source), once per notebook and content hash (migrations 0001, 0002)."""

    __tablename__ = "commentaries"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    notebook_id: Mapped[str] = mapped_column(ForeignKey("notebooks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    author: Mapped[str] = mapped_column(String(200), default="")
    published: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    source_url: Mapped[str] = mapped_column(String(2000), default="")
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: When the reader published it to the server's library (every reader sees it); None = their notebook only.
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    __table_args__ = (UniqueConstraint("notebook_id", "sha256", name="uq_commentaries_notebook_sha"),)


class Feed(Base):
    """A news feed the reader follows (on top of the configured ones)."""

    __tablename__ = "feeds"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    notebook_id: Mapped[str] = mapped_column(ForeignKey("notebooks.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("notebook_id", "url", name="uq_feeds_notebook_url"),)
