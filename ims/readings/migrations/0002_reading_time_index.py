"""The raw readings' index on time: BRIN on PostgreSQL (rows arrive in time order, so a few kilobytes
index millions of rows), an ordinary index on SQLite, which has no BRIN."""

from django.db import migrations


def create_index(apps, schema_editor):
    method = "USING brin " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX readings_reading_taken_at ON readings_reading {method}(taken_at)")


def drop_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX readings_reading_taken_at")


class Migration(migrations.Migration):
    dependencies = [("readings", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
