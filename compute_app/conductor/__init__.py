"""The conductor: orchestration, and every database write on behalf of hosts."""
