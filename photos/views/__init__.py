"""Photo pages: upload and the visit/client panels (visits.py), files (files.py), consent (consent.py),
the team gallery, the portfolio and takedowns (portfolio.py)."""
