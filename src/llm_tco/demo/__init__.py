"""The demo: a seeded, realistic usage set and the pipeline run on it."""
