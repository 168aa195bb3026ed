"""Maps of located evidence: points from records, an offline basemap, and the route page (PNG/PDF)."""
