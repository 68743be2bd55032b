"""Loopback emulators of the hosted image APIs, one module per provider."""
