"""Durable image storage: content-addressed originals and thumbnails."""
