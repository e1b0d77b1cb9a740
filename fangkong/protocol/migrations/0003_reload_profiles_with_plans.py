from django.db import migrations

from fangkong.protocol.loading import load_profiles


def forwards(apps, schema_editor):
    load_profiles(apps.get_model("protocol", "ProtocolProfile"))


class Migration(migrations.Migration):
    """The shipped profiles gain control plans, and the Shuozhou notice and the 10 new
    measures are added."""

    dependencies = [("protocol", "0002_load_shipped_profiles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
