"""Models of the training domain."""
