# The single-column indexes Django made for CheckIn's two keys duplicate the leading columns
# of the composite indexes, and each is written on every scan. Only the indexes are dropped:
# Django's own AlterField would also drop and re-add both foreign keys, re-checking every
# row of a table of millions (and remaking the table on SQLite).

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {"person": "tracing_checkin_person_id_9b9c1c7e",
           "venue": "tracing_checkin_venue_id_c245c7ff"}


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0001_initial'),
        ('places', '0001_initial'),
        ('tracing', '0002_investigations_contacts_teams'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{name}"',
                                  f'CREATE INDEX "{name}" ON "tracing_checkin" ("{field}_id")')
                for field, name in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='checkin',
                    name='person',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.person', verbose_name='person'),
                ),
                migrations.AlterField(
                    model_name='checkin',
                    name='venue',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='places.venue', verbose_name='venue'),
                ),
            ],
        ),
    ]
