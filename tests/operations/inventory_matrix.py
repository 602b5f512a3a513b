"""Inventory rows of the authorization matrix (tests/test_authz_matrix.py merges them).

`rules` returns {url name: Rule}; `objects_for` adds the objects those rules need to the matrix's world, for the
"own" organizer (A) and the "foreign" one (B). Object kinds used here must be keys of what objects_for returns.
"""

from typing import Any


def rules(*, page: Any, obj: Any, Rule: Any) -> dict[str, Any]:
    return {}


def objects_for(*, client_obj: Any, organizer: Any, owner: Any, visit: Any) -> dict[str, Any]:
    return {}
