"""A reader's own commentaries: export to the file format, drafts from proposals, authors' track records."""
