"""The import pages (upload, preview, confirm, progress), downloads and the command."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from peerportal.accounts.models import User
from peerportal.imports.models import ImportJob, JobStatus
from peerportal.reminders.models import Reminder
from tests.factories import CoordinatorFactory, with_totp

from .conftest import csv_bytes, upload

pytestmark = pytest.mark.django_db

HEADER = ["email", "display_name", "role", "language", "time_zone"]
ROWS = [["river@example.test", "River", "member", "", ""], ["bad", "Sky", "member", "", ""]]
GOOD = [["river@example.test", "River", "member", "", ""]]


def _post(client, data: bytes, name="people.csv", **extra):
    return client.post(
        reverse("imports:import-start"),
        {"kind": "people", "file": upload(data, name.rsplit(".", 1)[1]), **extra},
    )


def test_upload_shows_a_preview_with_the_reason_per_row_and_column(
    coordinator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(coordinator_client, csv_bytes(HEADER, ROWS))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job-detail", args=[job.pk])
    page = coordinator_client.get(response["Location"])
    body = page.content.decode()
    assert "1 refused" in body and "1 to create" in body
    assert "Not a valid email address." in body
    assert "<code>email</code>" in body
    assert "Confirm the import" not in body  # a file with a refused row cannot be confirmed
    assert not User.objects.filter(email="river@example.test").exists()


def test_confirming_runs_the_import_and_the_page_shows_it_done(
    coordinator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post(coordinator_client, csv_bytes(HEADER, GOOD))
    job = ImportJob.objects.get()
    assert (
        "Confirm the import"
        in coordinator_client.get(reverse("imports:job-detail", args=[job.pk])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("imports:job-confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert User.objects.filter(email="river@example.test").exists()
    assert not Reminder.objects.exists()  # nobody is emailed without the tick


def test_the_invitations_box_queues_invitations(
    coordinator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post(coordinator_client, csv_bytes(HEADER, GOOD), send_invitations="on")
    job = ImportJob.objects.get()
    assert job.send_invitations
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(reverse("imports:job-confirm", args=[job.pk]))
    assert Reminder.objects.filter(kind="account_invitation").count() == 1


def test_the_invitation_email_carries_a_password_link_and_no_group(coordinator, mailoutbox):
    from peerportal.reminders.dispatch import dispatch_due
    from tests.imports.conftest import applied_job

    applied_job(coordinator, "people", csv_bytes(HEADER, GOOD), send_invitations=True)
    dispatch_due()
    [message] = [m for m in mailoutbox if "river@example.test" in m.to]
    assert "invited" in message.subject
    assert "/accounts/password/reset/key/" in message.body


def test_while_checking_the_page_polls_and_then_asks_for_a_refresh(coordinator_client):
    _post(coordinator_client, csv_bytes(HEADER, GOOD))  # on-commit task not run: still checking
    job = ImportJob.objects.get()
    page = coordinator_client.get(reverse("imports:job-detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    status_url = reverse("imports:job-status", args=[job.pk])
    assert "HX-Refresh" not in coordinator_client.get(status_url, HTTP_HX_REQUEST="true")
    from peerportal.imports.services import import_job_check

    import_job_check(job=job)
    assert coordinator_client.get(status_url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"


def test_a_20_mb_upload_gets_a_form_error_and_stores_nothing(coordinator_client):
    response = _post(coordinator_client, b"x" * (20 * 1024 * 1024))
    assert response.status_code == 200
    assert "larger than 5 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_only_csv_and_xlsx_are_accepted(coordinator_client):
    response = _post(coordinator_client, b"<html>", name="people.html")
    assert "Upload a .csv or .xlsx file." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_another_coordinators_job_is_not_found(coordinator_client, coordinator):
    other = with_totp(CoordinatorFactory())
    from .conftest import checked_job

    job = checked_job(other, "people", csv_bytes(HEADER, GOOD))
    for name in ("imports:job-detail", "imports:job-status"):
        assert coordinator_client.get(reverse(name, args=[job.pk])).status_code == 404
    assert coordinator_client.post(reverse("imports:job-confirm", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_templates_and_exports_download(coordinator_client, file_format):
    template = coordinator_client.get(reverse("imports:template", args=["people", file_format]))
    assert template.status_code == 200
    assert f'people-template.{file_format}"' in template["Content-Disposition"]
    export = coordinator_client.get(reverse("imports:export", args=["people", file_format]))
    assert export.status_code == 200
    if file_format == "csv":
        assert export.content.decode().startswith("email,display_name,role,language,time_zone")
    assert (
        coordinator_client.get(reverse("imports:export", args=["nope", file_format])).status_code
        == 404
    )


def test_an_export_is_audited_with_counts_only(coordinator_client):
    from peerportal.core.models import AuditEvent

    coordinator_client.get(reverse("imports:export", args=["people", "csv"]))
    event = AuditEvent.objects.get(action="export.download")
    assert event.extra["kind"] == "people" and isinstance(event.extra["rows"], int)


def test_the_command_dry_runs_by_default_and_imports_with_commit(coordinator, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(HEADER, GOOD))
    call_command("import_spreadsheet", "people", str(path), "--as", coordinator.email)
    assert "1 to create" in capsys.readouterr().out
    assert not User.objects.filter(email="river@example.test").exists()
    call_command("import_spreadsheet", "people", str(path), "--as", coordinator.email, "--commit")
    assert User.objects.filter(email="river@example.test").exists()
    call_command("import_spreadsheet", "people", str(path), "--as", coordinator.email, "--commit")
    assert "0 created, 0 updated, 1 unchanged" in capsys.readouterr().out


def test_the_command_reports_refused_rows_and_writes_nothing(coordinator, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(HEADER, ROWS))
    with pytest.raises(CommandError):
        call_command(
            "import_spreadsheet", "people", str(path), "--as", coordinator.email, "--commit"
        )
    assert "row 3, email: Not a valid email address." in capsys.readouterr().err
    assert not User.objects.filter(email="river@example.test").exists()


def test_an_invited_person_chooses_a_password_and_signs_in_without_a_second_email(
    coordinator, client, mailoutbox
):
    from peerportal.imports.notifications import invitation_context
    from tests.imports.conftest import applied_job

    applied_job(coordinator, "people", csv_bytes(HEADER, GOOD), send_invitations=True)
    reminder = Reminder.objects.get(kind="account_invitation")
    page = client.get(invitation_context(reminder)["path"], follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else page.request["PATH_INFO"]
    new_password = "a-long-new-password-4711"
    done = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    river = User.objects.get(email="river@example.test")
    assert river.has_usable_password()
    mailoutbox.clear()
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "river@example.test", "password": new_password}
    )
    assert response.status_code == 302
    assert "confirm-email" not in response["Location"]
    assert client.get(reverse("core:dashboard")).status_code == 200
    assert not [m for m in mailoutbox if "river@example.test" in m.to]
