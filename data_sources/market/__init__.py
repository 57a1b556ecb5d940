"""Market data: the universe of series, symbols readers add, exchange calendars, the Yahoo and ECB adapters,
and the price refresh.

The universe (:mod:`.universe`) is a registry that imports nothing of the project; the symbols readers added
(:mod:`.added_symbols`, kept in the store folder) are handed to it here, once, whichever module of the package
is imported first.
"""

from data_sources.market import added_symbols, universe

universe.use_added(added_symbols.by_symbol)
