"""ICAO Doc 9303 machine-readable zones: read them in images, check them, match them offline."""
