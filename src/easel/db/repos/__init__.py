"""Keyword-only query functions: the only place SQL is written."""
