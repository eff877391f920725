"""Console tokens arrive with the console issue."""
