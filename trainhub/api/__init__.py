"""The read-only JSON API at /api/v1: bearer tokens, the web's unit scoping, paginated resources."""
