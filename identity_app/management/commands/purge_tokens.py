"""``manage.py purge_tokens``: delete records of expired tokens.

The conductor's sweep does this hourly; the command is for cron jobs and for
clouds run without a conductor (e.g. IDENTITY_BACKEND=local API-only set-ups).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from identity_app.tokens import purge_expired


class Command(BaseCommand):
    help = "Delete token records that expired (optionally: more than --older-than seconds ago)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, default=0, metavar="SECONDS",
                            help="keep tokens that expired less than this many seconds ago (for audits)")

    def handle(self, *args, **options) -> None:
        if options["older_than"] < 0:
            self.stderr.write("--older-than must not be negative")
            raise SystemExit(2)
        cutoff = timezone.now() - timedelta(seconds=options["older_than"])
        purged = purge_expired(before=cutoff)
        self.stdout.write(f"purged {purged} expired token(s)")
