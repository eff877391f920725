"""``manage.py bootstrap``: admin and demo accounts, roles, catalog, default flavors."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand

from identity_app.bootstrap import bootstrap


class Command(BaseCommand):
    help = ("Create (idempotently) the Default domain, admin/member/reader roles, the admin "
            "and demo projects and users, the service catalog and the default flavors. "
            "Passwords come from ADMIN_PASSWORD / DEMO_PASSWORD, or are generated and printed once.")

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="do not create the demo project/user")

    def handle(self, *args, **options):
        result = bootstrap(
            admin_password=os.environ.get("ADMIN_PASSWORD") or None,
            demo_password=os.environ.get("DEMO_PASSWORD") or None,
            with_demo=not options["no_demo"],
        )
        for item in result.created:
            self.stdout.write(f"created {item}")
        if result.admin_password:
            self.stdout.write(f"admin password (shown once): {result.admin_password}")
        if result.demo_password:
            self.stdout.write(f"demo password (shown once): {result.demo_password}")
        self.stdout.write("bootstrap complete")
