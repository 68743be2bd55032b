"""Assist: images described and prompts suggested by text models, streamed as they write."""
