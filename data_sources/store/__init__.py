"""The local store: crash-safe Parquet tables, the price table, CSV import/export, row checks and status."""
