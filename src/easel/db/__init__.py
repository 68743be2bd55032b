"""Persistence: tables, engines, migrations and the query functions (repos)."""
