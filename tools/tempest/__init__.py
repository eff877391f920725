"""Run OpenStack's Tempest against this cloud (see docs/tempest.md)."""
