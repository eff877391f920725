"""``python -m cloud.launcher [run] [--no-demo]`` or ``python -m cloud.launcher procfile FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cloud.launcher.console import StepFailed, say
from cloud.launcher.procs import ProcfileError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cloud.launcher", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="the whole single-host cloud (the default)")
    run.add_argument("--no-demo", action="store_true", help="skip the demo image and server")
    procfile = sub.add_parser("procfile", help="run the processes of a Procfile until Ctrl-C")
    procfile.add_argument("path", type=Path)
    parser.add_argument("--no-demo", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    from cloud.launcher.run import Config, Launcher, run_procfile

    try:
        if args.command == "procfile":
            return run_procfile(args.path)
        return Launcher(Config.from_env(demo=not args.no_demo)).run()
    except (StepFailed, ProcfileError, OSError) as exc:
        say(f"ERROR: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
