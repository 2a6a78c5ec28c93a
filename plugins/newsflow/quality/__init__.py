"""Data quality: GX suites, checkpoints and Data Docs."""
