import pytest

from tests.support import portal


@pytest.fixture
def portal_p(client_a, office):
    """P: a contact of cX (client_a), invited by office; not signed in yet."""
    return portal.portal_user_build(client=client_a, actor=office)


@pytest.fixture
def portal_q(client_b, office):
    """Q: a contact of cY (client_b): the other client whose objects P probes."""
    return portal.portal_user_build(client=client_b, actor=office, email="quinn@example.org", name="Quinn Quill")


@pytest.fixture
def signed_in_p(client, portal_p):
    """A test client signed in as P through the real code login."""
    response = portal.code_login(client, portal_p.email)
    assert response.status_code == 302 and response["Location"] == "/portal/"
    return client
