"""What readers write (notes, saved commentaries, feeds, notebooks) in a database.

SQLite in the data dir by default (embedded, no server); PostgreSQL when ``DASHBOARD_DB_URL`` is set.
Tables are created and upgraded by Alembic migrations (``migrations/``) when a process first opens the
database. Use :func:`data_sources.readers.repository.open_repository`.
"""
