from django.core.management.base import BaseCommand

from peerportal.core.demo import DEMO_PASSWORD, DEMO_PEOPLE, demo_email, seed_all


class Command(BaseCommand):
    help = "Create an invented demo organization with one login per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "large"], default="small")

    def handle(self, *args, scale: str, **options):
        seed_all(scale=scale, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password {DEMO_PASSWORD}):")
        )
        for _key, local, _name, role, _sup in DEMO_PEOPLE:
            self.stdout.write(f"  {role:16} {demo_email(local)}")
        self.stdout.write("Supervisor and coordinator need a code: python manage.py demo_totp")
