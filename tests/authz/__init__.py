"""The authorization matrix's rows and its shared world (tests/test_authz_matrix.py runs the cases)."""
