"""Performance figures for the README (``python -m benchmarks``); not tests."""
