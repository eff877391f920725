"""A small process launcher for a single-host cloud (``python -m cloud.launcher``).

* :mod:`cloud.launcher.procs` - Procfile parsing and a supervisor that starts
  named processes with their own logs and stops them with SIGTERM, then SIGKILL.
* :mod:`cloud.launcher.run` - the whole cloud: migrate, bootstrap, start the API
  and workers, wait for them, demo image and server, print how to use it.
* :mod:`cloud.launcher.demo` - the public-API calls those steps make.

No dependency beyond what the cloud already uses (requests, PyYAML).
"""
