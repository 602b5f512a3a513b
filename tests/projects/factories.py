import factory

from projects.models import Project
from projects.services import calendar_default
from tests.clients.factories import ClientFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    start_on = factory.Faker("date_between", start_date="-30d", end_date="+30d")
    status = Project.Status.ACTIVE
    calendar = factory.LazyFunction(calendar_default)
