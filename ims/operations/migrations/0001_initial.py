from django.core.management import call_command
from django.db import migrations, models


def create_cache_table(apps, schema_editor):
    """The shared database cache (settings.CACHES) needs its table; a Redis cache needs none."""
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Heartbeat",
            fields=[
                ("process_id", models.CharField(max_length=64, primary_key=True, serialize=False, verbose_name="process")),
                (
                    "role",
                    models.CharField(
                        choices=[("worker", "Task worker"), ("scheduler", "Scheduler")], max_length=10, verbose_name="role"
                    ),
                ),
                ("hostname", models.CharField(max_length=255, verbose_name="host")),
                ("pid", models.PositiveIntegerField(verbose_name="process number")),
                ("started_at", models.DateTimeField(verbose_name="started at")),
                ("seen_at", models.DateTimeField(db_index=True, verbose_name="last seen")),
            ],
            options={"verbose_name": "heartbeat", "verbose_name_plural": "heartbeats", "ordering": ["-seen_at"]},
        ),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
