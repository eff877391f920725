from compute_app import states
from compute_app.states import task_states as ts


def test_api_status_of_nova_state_pairs():
    assert states.api_status(states.BUILDING, ts.SCHEDULING) == "BUILD"
    assert states.api_status(states.ACTIVE, None) == "ACTIVE"
    assert states.api_status(states.ACTIVE, ts.REBOOTING_HARD) == "HARD_REBOOT"
    assert states.api_status(states.ACTIVE, ts.DELETING) == "ACTIVE"
    assert states.api_status(states.STOPPED, None) == "SHUTOFF"
    assert states.api_status(states.RESIZED, ts.RESIZE_REVERTING) == "REVERT_RESIZE"
    assert states.api_status(states.ERROR, None) == "ERROR"
    assert states.api_status("bogus", None) == "UNKNOWN"


def test_status_filter_pairs_round_trip():
    for status in ("ACTIVE", "BUILD", "SHUTOFF", "ERROR", "REBOOT", "VERIFY_RESIZE"):
        pairs = states.vm_states_for_status(status)
        assert pairs, status
        for vm_state, task_state in pairs:
            assert states.api_status(vm_state, None if task_state == "*" else task_state) == status
    assert states.vm_states_for_status("NOT_A_STATUS") is None


def test_every_task_state_is_known():
    assert ts.SCHEDULING in ts.ALL and ts.DELETING in ts.ALL and len(set(ts.ALL)) == len(ts.ALL) > 30
