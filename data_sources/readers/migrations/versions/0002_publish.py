"""Publishing a saved commentary to the server's library: ``commentaries.published_at`` (null = private).

Revision ID: 0002
Revises: 0001
Create Date: 2025-04-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("commentaries") as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_commentaries_published_at", ["published_at"])


def downgrade() -> None:
    with op.batch_alter_table("commentaries") as batch:
        batch.drop_index("ix_commentaries_published_at")
        batch.drop_column("published_at")
