"""Dashboards of each service: live monitoring of its process instances."""
