"""Enrichment: entities, canonical names, sentiment."""
