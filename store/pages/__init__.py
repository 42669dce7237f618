"""Content pages (shipping and returns, privacy, terms, legal notice): text and rendering."""
