from django.conf import settings
from django.db import migrations, models
from django.db.models import Count


def refuse_duplicate_open_objections(apps, schema_editor):
    """Before the rule is the database's, parallel requests could leave two open objections on one finding.
    Which one stands is the programme head's decision, not a migration's: rule on the others first."""
    Objection = apps.get_model("responses", "Objection")
    duplicated = (
        Objection.objects.filter(status="open").values("finding_id").annotate(open=Count("id")).filter(open__gt=1)
    )
    findings = sorted(row["finding_id"] for row in duplicated)
    if findings:
        raise RuntimeError(
            f"Findings {findings} have more than one open objection. Rule on all but one of each with the "
            "previous version of IMS, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_clusterresult"),
        ("responses", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_duplicate_open_objections, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="objection",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "open")), fields=("finding",), name="one_open_objection_per_finding"
            ),
        ),
    ]
