from django.db import migrations

from fangkong.protocol.loading import load_profiles


def forwards(apps, schema_editor):
    load_profiles(apps.get_model("protocol", "ProtocolProfile"))


class Migration(migrations.Migration):
    """The shipped profiles gain the testing rules: pooling by risk level, the valid Ct
    range, the temporary control of a positive pool and the turnaround target."""

    dependencies = [("protocol", "0003_reload_profiles_with_plans")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
