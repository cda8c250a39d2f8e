"""One Business API sandbox per test module (helpers.business)."""

from tests.sandbox.business.helpers import business

__all__ = ["business"]
