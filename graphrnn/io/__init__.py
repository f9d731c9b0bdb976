"""File input/output that every writer in graphrnn shares: atomic writes (`atomic`)."""
