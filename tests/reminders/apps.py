from django.apps import AppConfig


class TestKindsConfig(AppConfig):
    """Installed only in the worker subprocesses of the integration test."""

    name = "tests.reminders"
    label = "reminders_tests"

    def ready(self) -> None:
        from .kinds import register

        register()
