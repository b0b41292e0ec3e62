"""Rule families, one folder each, one rule a file; `ameide_guard.codes` assigns the ids."""
