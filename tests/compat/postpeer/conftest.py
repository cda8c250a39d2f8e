"""The service's fixtures (tests/service/conftest.py) for the PostPeer compatibility tests."""

from tests.compat.postpeer.fixtures import started  # noqa: F401  (fixtures)
from tests.service.conftest import *  # noqa: F403  (every service fixture, as tests/service/ has)
