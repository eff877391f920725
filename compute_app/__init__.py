"""OpenStack Compute: flavors, servers, keypairs, quotas, services and hosts.

Subpackages by role: ``api`` (the HTTP API), ``scheduler``, ``conductor`` and
``compute`` (Celery tasks of each daemon), ``virt`` (hypervisor drivers),
``servicegroup`` (service registration and liveness).
"""
