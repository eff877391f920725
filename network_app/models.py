"""Network records arrive with the networking issue."""
