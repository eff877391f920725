"""Host selection (pure functions over a snapshot of host state) and the
atomic resource claims that make a selection stick."""
