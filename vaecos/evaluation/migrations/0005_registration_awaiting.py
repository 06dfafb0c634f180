from django.db import migrations, models


class Migration(migrations.Migration):
    """The dashboard's deadlines: the few transmitted registrations still waiting for a result
    (registered or convened), by session, without reading all the registrations."""

    dependencies = [
        ("evaluation", "0004_dashboard_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["inscrit", "convoque"]), ("transmitted_at__isnull", False)
                ),
                fields=["session"],
                name="registration_awaiting",
            ),
        ),
    ]
