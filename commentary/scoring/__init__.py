"""Claims and their verdicts, computed from stored prices."""
