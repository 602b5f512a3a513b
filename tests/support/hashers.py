"""A cheap Argon2 for tests (tests/conftest.py installs it for every test not marked `production_hashers`).

Production's Argon2 takes 100 MiB and two passes per hash, about 0.3 s alone and seconds on a busy CI box, and
every login, failed login and user with a password pays it. This is the same algorithm through the same
library, so hashes still start with "argon2$" and PBKDF2 hashes are still upgraded to it on login; only the
cost parameters are small. The tests about the hasher itself run with the production settings.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64  # KiB; the minimum is 8 per lane
    parallelism = 1
