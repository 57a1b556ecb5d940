"""The shared store for many app replicas: market data published to object storage by one refresher.

``settings`` reads the environment (store URL, S3 endpoint, poll interval, ``DASHBOARD_REFRESH``);
``object_store`` publishes and reads versions; ``refresher`` is the loop behind
``python -m data_sources refresh --every``.
"""
