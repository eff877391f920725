"""Networks, fixed and floating IPs, security groups (nova-network's role).

For now only the no-op driver the fake compute uses; real bridges, dnsmasq
and iptables come with the networking issue.
"""
