"""JSON Schemas published with fkit (data files)."""
