"""Benchmark harness: the product's planner against a naive single-model CP-SAT baseline.

Run ``python -m benchmarks --help``; see ``docs/benchmarks.md`` for measured numbers.
"""
