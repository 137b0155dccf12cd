"""Analyses built on the layers and the travel engines: fee zones, rounds, care-home coverage, reports."""
