"""A test bed of real local servers.

Fake GitHub (REST + git smart HTTP), scripted model, billing receiver, runner simulator.
"""
