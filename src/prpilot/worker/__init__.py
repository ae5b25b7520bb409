"""Fleets: the Redis queue (with its Lua), the TaskWorker loop and Kubernetes Jobs."""
