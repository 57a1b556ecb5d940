"""Alembic environment: always run with a connection handed over by ``data_sources.readers.engine.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from data_sources.readers.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line: DASHBOARD_DB_URL or the default SQLite file
    from data_sources.readers.engine import db_url

    with create_engine(db_url()).begin() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
