"""Acquisition of evidence into a case package (logical, physical, image extraction)."""
