"""Benchmarks and the test-data generator (benchmarks.generate_logs)."""
