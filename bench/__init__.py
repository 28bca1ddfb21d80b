"""The benchmark harness: ``python -m bench.run [--quick] [--peers]`` (see docs/performance.md)."""
