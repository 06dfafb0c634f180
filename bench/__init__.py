"""Benchmark of the Livret 2 autosave under gunicorn (`make bench`)."""
