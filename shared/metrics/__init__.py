"""Prometheus metrics: what each service exposes at ``/metrics`` for operations."""
