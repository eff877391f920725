"""The servers resource: views, request validation, response shapes, filters."""
