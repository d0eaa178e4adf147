"""The registry of units and schools."""
