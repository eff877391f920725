"""Compute records, one module per domain object."""

from compute_app.models.action import InstanceAction, InstanceActionEvent
from compute_app.models.aggregate import Aggregate, AggregateHost
from compute_app.models.flavor import Flavor, FlavorAccess
from compute_app.models.host import Allocation, ComputeNode
from compute_app.models.instance import Instance, InstanceFault, InstanceTag
from compute_app.models.keypair import KeyPair
from compute_app.models.quota import Quota, QuotaClass, QuotaLock
from compute_app.models.server_group import ServerGroup, ServerGroupMember
from compute_app.models.service import Service

__all__ = [
    "Aggregate", "AggregateHost", "Allocation", "ComputeNode", "Flavor", "FlavorAccess",
    "Instance", "InstanceAction", "InstanceActionEvent", "InstanceFault", "InstanceTag",
    "KeyPair", "Quota", "QuotaClass", "QuotaLock", "ServerGroup", "ServerGroupMember", "Service",
]
