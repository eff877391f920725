"""What users and operators do to servers, shared by the API and the admin site.

Each operation checks the state machine, records an instance action and
changes state through compute_app.instances, then hands the work to the
daemons by message. Nothing else writes instance state.
"""
