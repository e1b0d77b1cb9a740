from django.db import migrations

from fangkong.protocol.loading import load_profiles


def forwards(apps, schema_editor):
    load_profiles(apps.get_model("protocol", "ProtocolProfile"))


class Migration(migrations.Migration):
    dependencies = [("protocol", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
