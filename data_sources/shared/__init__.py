"""The shared store for many app replicas: market data published to object storage by one refresher.

Its settings are fields of :mod:`data_sources.settings` (``store_url``, ``s3_*``, ``store_*``, ``publish_*``,
``prune_grace``); ``s3io`` is the bucket at the lowest level (every failure a
``SharedStoreError`` with a reader-facing code); ``versions`` checks what a manifest names before reading it;
``merge`` and ``publish`` are the publish protocol; ``object_store`` is what replicas read; ``refresher`` is the
loop behind ``python -m data_sources refresh --every`` (exit codes, retries, the health state).
"""
