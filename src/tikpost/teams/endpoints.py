"""HTTP routes for the teams domain (thin: authentication does the work)."""

from __future__ import annotations

from fastapi import APIRouter

from tikpost.teams.auth import CurrentTeam
from tikpost.teams.schemas import TeamRead

router = APIRouter(prefix="/v1", tags=["teams"])


@router.get("/team", response_model=TeamRead)
async def get_current_team(team: CurrentTeam) -> TeamRead:
    """The team the API key belongs to: a cheap way for a client to check its key."""
    return team
