"""Spreadsheet exchange with the registry: imports (/imports) and exports (/exports)."""
