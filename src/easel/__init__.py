"""Easel: a self-hosted image generation studio over many image models."""

__version__ = "0.1.0"
