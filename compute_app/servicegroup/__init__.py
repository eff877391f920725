"""Service registration and liveness: who is running where, and is it up.

Processes with database access (API, scheduler, conductor) write their own
heartbeat; hosts (compute, network) send theirs through the conductor.
"""
