import socket

from django.core.management.base import BaseCommand, CommandError

from ims.operations.models import Heartbeat
from ims.operations.workers import alive


class Command(BaseCommand):
    help = (
        "Exit 0 if a worker or scheduler process on this host has written a heartbeat within the lease "
        "(a container health check for the roles that serve no HTTP)."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", choices=Heartbeat.Role.values)

    def handle(self, *args, role, **options):
        if not alive(role).filter(hostname=socket.gethostname()[:255]).exists():
            raise CommandError(f"No {role} on {socket.gethostname()} has written a heartbeat within the lease.")
        self.stdout.write(f"A {role} on {socket.gethostname()} is alive.")
