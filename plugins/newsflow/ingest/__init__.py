"""Ingest: sources -> normalised article records (+ quarantine)."""
