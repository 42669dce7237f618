"""Operations: load, crashes and backups against a running shop."""
