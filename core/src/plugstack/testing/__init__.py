"""Test helpers for plugstack and its plugins: the record-replay pytest plugin, the
conformance suites and an in-process echo provider for testing the core itself."""
