"""Models of the staffing domain."""
