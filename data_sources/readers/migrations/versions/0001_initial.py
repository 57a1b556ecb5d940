"""Notebooks, notes, saved commentaries and feeds.

Revision ID: 0001
Revises:
Create Date: 2025-01-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notebooks",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(120), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("notebook_id", sa.String(64), sa.ForeignKey("notebooks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("label", sa.String(60), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_notes_notebook_date", "notes", ["notebook_id", "date"])
    op.create_table(
        "commentaries",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("notebook_id", sa.String(64), sa.ForeignKey("notebooks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("author", sa.String(200), nullable=False, server_default=""),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("source_url", sa.String(2000), nullable=False, server_default=""),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("notebook_id", "sha256", name="uq_commentaries_notebook_sha"),
    )
    op.create_index("ix_commentaries_notebook_id", "commentaries", ["notebook_id"])
    op.create_table(
        "feeds",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("notebook_id", sa.String(64), sa.ForeignKey("notebooks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("title", sa.String(200), nullable=False, server_default=""),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("notebook_id", "url", name="uq_feeds_notebook_url"),
    )
    op.create_index("ix_feeds_notebook_id", "feeds", ["notebook_id"])


def downgrade() -> None:
    for table in ("feeds", "commentaries", "notes", "notebooks"):
        op.drop_table(table)
