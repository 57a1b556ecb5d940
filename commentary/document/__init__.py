"""Commentary files: the Markdown + YAML format, loading and validation."""
