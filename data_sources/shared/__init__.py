"""The shared store for many app replicas: market data published to object storage by one refresher.

``settings`` reads the environment; ``s3io`` is the bucket at the lowest level (every failure a
``SharedStoreError`` with a reader-facing code); ``versions`` checks what a manifest names before reading it;
``merge`` and ``publish`` are the publish protocol; ``object_store`` is what replicas read; ``refresher`` is the
loop behind ``python -m data_sources refresh --every`` (exit codes, retries, the health state).
"""
