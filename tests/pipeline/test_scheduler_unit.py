"""Filters, weighers and fault wording: pure functions over host snapshots."""

from compute_app.scheduler.filters import explain, run_filters
from compute_app.scheduler.host_state import HostState, RequestSpec
from compute_app.scheduler.weighers import weigh


def host(name: str, *, ram: int = 8192, used_ram: int = 0, vcpus: int = 8, used_vcpus: int = 0,
         disk: int = 100, used_disk: int = 0, **extra) -> HostState:
    return HostState(host=name, node=name, memory_mb_limit=ram, memory_mb_used=used_ram, vcpus_limit=vcpus,
                     vcpus_used=used_vcpus, local_gb_limit=disk, local_gb_used=used_disk, **extra)


def spec(**kwargs) -> RequestSpec:
    return RequestSpec(**{"vcpus": 1, "memory_mb": 512, "disk_gb": 1, **kwargs})


def test_ram_filter_removes_short_hosts_and_fault_says_by_how_much():
    hosts = [host("a", ram=1024, used_ram=768), host("b", ram=2048, used_ram=2000), host("c")]
    passed, removed = run_filters(hosts, spec(memory_mb=512))
    assert [h.host for h in passed] == ["c"]
    passed, removed = run_filters(hosts[:2], spec(memory_mb=512))
    assert passed == []
    message = explain(2, removed)
    assert message.startswith("No valid host was found. 2 hosts: RamFilter removed 2")
    assert "short by 256-464 MB" in message


def test_compute_filter_drops_down_and_disabled_services():
    hosts = [host("up"), host("down", up=False), host("off", enabled=False)]
    passed, removed = run_filters(hosts, spec())
    assert [h.host for h in passed] == ["up"]
    assert sorted(removed["ComputeFilter"]) == ["service disabled", "service down"]


def test_core_and_disk_filters_use_limits():
    hosts = [host("cpu", vcpus=4, used_vcpus=4), host("disk", disk=10, used_disk=10), host("ok")]
    passed, removed = run_filters(hosts, spec(vcpus=1, disk_gb=1))
    assert [h.host for h in passed] == ["ok"]
    assert removed["CoreFilter"] == ["short by 1 vCPU"]
    assert removed["DiskFilter"] == ["short by 1 GB"]


def test_availability_zone_and_retry_filters():
    hosts = [host("a", availability_zone="az1"), host("b", availability_zone="az2"), host("c",
                                                                                           availability_zone="az2")]
    passed, _ = run_filters(hosts, spec(availability_zone="az2", ignore_hosts=["b"]))
    assert [h.host for h in passed] == ["c"]


def test_image_properties_filter_matches_architecture_and_hypervisor():
    hosts = [host("x86"), host("arm", cpu_arch="aarch64"), host("qemu", hypervisor_type="QEMU")]
    passed, _ = run_filters(hosts, spec(image_properties={"hw_architecture": "arm64"}))
    assert [h.host for h in passed] == ["arm"]
    passed, _ = run_filters(hosts, spec(image_properties={"img_hv_type": "kvm"}))
    assert [h.host for h in passed] == ["qemu"]


def test_aggregate_extra_specs_filter():
    ssd = host("ssd", aggregates_metadata=[{"disk": "ssd", "availability_zone": "az1"}])
    hdd = host("hdd", aggregates_metadata=[{"disk": "hdd"}])
    bare = host("bare")
    passed, _ = run_filters([ssd, hdd, bare], spec(flavor_extra_specs={"aggregate_instance_extra_specs:disk": "ssd"}))
    assert [h.host for h in passed] == ["ssd"]
    # Keys of other scopes (hw:, quota:) are not aggregate requirements.
    passed, _ = run_filters([ssd, hdd, bare], spec(flavor_extra_specs={"hw:cpu_policy": "dedicated"}))
    assert len(passed) == 3
    passed, _ = run_filters([ssd, hdd, bare], spec(flavor_extra_specs={"disk": "<or> hdd <or> nvme"}))
    assert [h.host for h in passed] == ["hdd"]


def test_weighers_spread_by_free_ram_and_penalise_failures():
    busy = host("busy", used_ram=6000)
    idle = host("idle")
    assert [h.host for h in weigh([busy, idle], spec())] == ["idle", "busy"]
    flaky = host("flaky", failed_builds=3)
    assert [h.host for h in weigh([flaky, busy], spec())] == ["busy", "flaky"]


def test_no_hosts_at_all():
    passed, removed = run_filters([], spec())
    assert passed == []
    assert explain(0, removed) == "No valid host was found. There are no compute hosts."


def test_server_group_filters_keep_members_together_or_apart():
    hosts = [host("a"), host("b"), host("c")]
    passed, removed = run_filters(hosts, spec(group_policy="anti-affinity", group_hosts={"a": 1, "b": 2}))
    assert [h.host for h in passed] == ["c"]
    assert removed["ServerGroupAntiAffinityFilter"] == ["holds a server of its anti-affinity group"] * 2
    passed, removed = run_filters(hosts, spec(group_policy="affinity", group_hosts={"b": 1}))
    assert [h.host for h in passed] == ["b"]
    # The first member of an affinity group may go anywhere.
    passed, _ = run_filters(hosts, spec(group_policy="affinity", group_hosts={}))
    assert len(passed) == 3
    # Soft policies never filter.
    passed, _ = run_filters(hosts, spec(group_policy="soft-anti-affinity", group_hosts={"a": 1, "b": 1}))
    assert len(passed) == 3


def test_soft_group_policies_weigh_hosts_by_members():
    hosts = [host("a"), host("b"), host("c")]
    ranked = weigh(hosts, spec(group_policy="soft-affinity", group_hosts={"c": 2, "b": 1}))
    assert [h.host for h in ranked][0] == "c"
    ranked = weigh(hosts, spec(group_policy="soft-anti-affinity", group_hosts={"a": 3, "b": 1}))
    assert [h.host for h in ranked] == ["c", "b", "a"]


def test_same_host_and_different_host_hints():
    hosts = [host("a"), host("b"), host("c")]
    passed, removed = run_filters(hosts, spec(same_hosts=["b"]))
    assert [h.host for h in passed] == ["b"] and len(removed["SameHostFilter"]) == 2
    passed, _ = run_filters(hosts, spec(different_hosts=["a", "c"]))
    assert [h.host for h in passed] == ["b"]
    # same_host naming servers that run nowhere (yet) leaves no host.
    assert run_filters(hosts, spec(same_hosts=[]))[0] == []
