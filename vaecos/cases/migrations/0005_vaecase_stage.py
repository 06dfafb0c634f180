"""The stage stored on the case (vaecos.cases.stages), computed for the existing cases."""

from typing import Any

from django.db import migrations, models

from vaecos.cases import stages


def compute(apps: Any, schema_editor: Any) -> None:
    stages.refresh(apps.get_model("cases", "VaeCase").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_list_indexes"),
        ("admissibility", "0007_dashboard_indexes"),
        ("dossiers", "0003_log_index"),
        ("evaluation", "0005_registration_awaiting"),
        ("jury", "0004_log_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="vaecase",
            name="stage",
            field=models.CharField(
                default="recevabilite:aucune",
                editable=False,
                max_length=40,
                verbose_name="étape et statut",
            ),
        ),
        migrations.RunPython(compute, migrations.RunPython.noop, elidable=True),
    ]
