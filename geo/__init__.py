"""Base package: council settings, coordinate systems, units and the project's exceptions."""
