import factory

from vaecos.accounts.models import Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = Role.CANDIDATE
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-test")

    class Params:
        coach = factory.Trait(role=Role.COACH)
        instructor = factory.Trait(role=Role.INSTRUCTOR)
        jury = factory.Trait(role=Role.JURY)
        admin = factory.Trait(role=Role.ADMIN, is_staff=True, is_superuser=True)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
