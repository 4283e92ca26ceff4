"""Benchmarks: `python -m bench.run` (or `make bench`) measures a Renkei server against baselines.

See bench/README.md. The package runs from the checkout; it is not shipped in the wheel.
"""
