"""The dashboard: each role's landing page."""
