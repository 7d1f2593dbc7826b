from django.core.management.base import BaseCommand

from ims.policy.document import markdown


class Command(BaseCommand):
    help = "Print the authorization policy table as Markdown (docs/policy.md is this output)."

    def handle(self, *args, **options):
        self.stdout.write(markdown(), ending="")
