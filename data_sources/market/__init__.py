"""Market data: the universe of series, symbols readers add, exchange calendars, the Yahoo and ECB adapters,
and the price refresh."""
