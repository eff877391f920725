"""Plumbing shared by every HTTP API: errors, parsing, auth, routing, base views."""
