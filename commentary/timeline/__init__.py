"""Dated events around a column (``events.toml``) and the moves around them."""
