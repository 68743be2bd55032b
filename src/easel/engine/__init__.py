"""The job engine: states, transitions, queue, workers and the provider runner."""
