"""Interlude's benchmarks. `python -m bench` (or `make bench`) runs the suite (bench/suite.py)."""
