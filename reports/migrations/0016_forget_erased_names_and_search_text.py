"""Personal values reports/ kept before it stopped keeping them: the names on certificates of
people erased earlier (erasure now blanks them, services.volunteer_certificates_anonymize), and
the roster's search text in past export audit entries and finished export jobs (now recorded by
its kind only, scope.params_without_search). Nothing to restore going backwards."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from reports.scope import params_without_search

    Certificate = apps.get_model("reports", "Certificate")
    ExportJob = apps.get_model("reports", "ExportJob")
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    Certificate.objects.filter(volunteer__anonymized_at__isnull=False).exclude(holder_name="").update(
        holder_name=""
    )
    entries = AuditEntry.objects.filter(subject_type="reports.export", detail__roster__has_key="q")
    for pk, detail in entries.values_list("pk", "detail").iterator():
        AuditEntry.objects.filter(pk=pk).update(detail=params_without_search(detail))
    # Queued jobs still need theirs to run; the worker drops it when it takes them up.
    jobs = ExportJob.objects.exclude(status="queued").filter(params__roster__has_key="q")
    for pk, params in jobs.values_list("pk", "params").iterator():
        ExportJob.objects.filter(pk=pk).update(params=params_without_search(params))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_entry"),
        ("reports", "0015_signup_month_summary"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
