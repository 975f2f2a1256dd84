"""`make bench`: speed figures, printed as `BENCH <name> <value> <unit>` lines. Not tests."""
