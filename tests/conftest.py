"""Shared fixtures come from the shipped test bed, ``prpilot.testing``, so users can reuse them."""

pytest_plugins = [
    "prpilot.testing.pytest_github",
    "prpilot.testing.pytest_servers",
    "prpilot.testing.pytest_redis",
]
