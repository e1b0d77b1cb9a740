from django.db import migrations

from fangkong.protocol.loading import load_profiles


def forwards(apps, schema_editor):
    load_profiles(apps.get_model("protocol", "ProtocolProfile"))


class Migration(migrations.Migration):
    """The shipped profiles gain the assumed stay of a venue check-in."""

    dependencies = [("protocol", "0004_reload_profiles_with_testing")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
