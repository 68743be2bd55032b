"""The `easel` command line."""
