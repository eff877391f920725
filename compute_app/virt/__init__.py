"""Hypervisor drivers behind one interface (driver.py): ``fake`` for tests and
scale, ``libvirt`` for real QEMU/KVM guests (its own issue)."""
