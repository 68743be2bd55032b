"""What lets API servers and workers run as separate processes: Redis connections and
key names, leadership of the periodic passes, and provider limits held cluster-wide."""
