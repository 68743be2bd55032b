"""Test support: a real server process, database fixtures and clients."""
