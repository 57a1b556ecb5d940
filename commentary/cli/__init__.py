"""The command lines on commentaries (``python -m commentary score|record``): the one part of ``commentary`` that
words its output itself, in English from the catalogs (``catalog.words``), since a terminal has no ``ui``."""
