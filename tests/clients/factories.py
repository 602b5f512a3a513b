import factory

from clients.models import Client, Contact, Intake, Site


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Client {n} household")
    kind = Client.Kind.HOUSEHOLD
    status = Client.Status.ACTIVE
    intake = factory.RelatedFactory("tests.clients.factories.IntakeFactory", factory_related_name="client")


class IntakeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intake

    goals = "A calm kitchen"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Contact{n} Person")
    phone = factory.Sequence(lambda n: f"+1212555{n:04d}")
    email = factory.Sequence(lambda n: f"contact{n}@example.net")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    client = factory.SubFactory(ClientFactory)
    label = "Home"
    street = factory.Sequence(lambda n: f"{n + 10} Orchard Lane")
    city = "Montclair"
    region = "NJ"
    postal_code = "07042"
    time_zone = "America/New_York"
