"""The posts domain's own route dependency: the intake, assembled from the app's parts."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from tikpost.deps import AppStateDep
from tikpost.posts.intake import Intake


def _intake(state: AppStateDep) -> Intake:
    return Intake(state.database, state.storage, state.url_guard, state.settings, state.tokens)


IntakeDep = Annotated[Intake, Depends(_intake)]
