"""The vendors tikpost serves; a new one is a package under `compat/` and a line here."""

from __future__ import annotations

from tikpost.compat.vendor import Vendor

VENDORS: list[Vendor] = []
