"""Run the store's command line: ``python -m data_sources --help``."""

import sys

from data_sources.cli import main

sys.exit(main())
