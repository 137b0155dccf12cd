"""Road routing: OSM data to a drive graph, fast bulk travel times, and a labelled straight-line estimate."""
