"""Data layers: load the bundled open data for a council as GeoDataFrames in British National Grid."""
