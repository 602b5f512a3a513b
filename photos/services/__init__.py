"""Writes with rules: uploads (upload.py), consent (consent.py), portfolio uses and takedowns (portfolio.py)."""
