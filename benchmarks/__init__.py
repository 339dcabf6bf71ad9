"""Benchmarks and the test-data generator (benchmarks.generate_logs)."""

from cloudtrail_tracker.local import moto_speed

moto_speed.apply()  # their in-process moto answers a Query from its partition (local/moto_speed.py)
