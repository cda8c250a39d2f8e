"""The vendors tikpost serves; a new one is a package under `compat/` and a line here."""

from __future__ import annotations

from tikpost.compat.algorhythm import ALGORHYTHM
from tikpost.compat.postpeer import VENDOR as POSTPEER
from tikpost.compat.postpost import POSTPOST
from tikpost.compat.tikapis import TIKAPIS
from tikpost.compat.vendor import Vendor

VENDORS: list[Vendor] = [TIKAPIS, ALGORHYTHM, POSTPEER, POSTPOST]
