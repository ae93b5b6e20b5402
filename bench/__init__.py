"""The benchmark: `make bench` (README "Ytelse")."""
