from django.db import migrations

from fangkong.protocol.loading import load_profiles


def forwards(apps, schema_editor):
    load_profiles(apps.get_model("protocol", "ProtocolProfile"))


class Migration(migrations.Migration):
    """The shipped profiles gain the tracing rules: the longest stay of a check-in, the
    companion overlap, the exposure-site crowd and the investigation clock."""

    dependencies = [("protocol", "0005_reload_profiles_with_checkins")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
