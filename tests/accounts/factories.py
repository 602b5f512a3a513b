import factory

from accounts.models import User
from accounts.services import organizer_profile_ensure


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = User.Role.ORGANIZER
    # Unusable by default: Argon2 is deliberately slow. Tests that log in through the form set a password.
    password = factory.LazyFunction(lambda: "!unusable")

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        if create and obj.role == User.Role.ORGANIZER:
            organizer_profile_ensure(user=obj)
