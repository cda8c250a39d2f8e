"""HTTP routes for the teams domain (thin: authentication does the work)."""

from __future__ import annotations

from fastapi import APIRouter

from tikpost.deps import DatabaseDep
from tikpost.teams import service
from tikpost.teams.auth import CurrentTeam
from tikpost.teams.schemas import TeamRead, TeamUpdate

router = APIRouter(prefix="/v1", tags=["teams"])


@router.get("/team", response_model=TeamRead)
async def get_current_team(team: CurrentTeam) -> TeamRead:
    """The team the API key belongs to: a cheap way for a client to check its key."""
    return team


@router.patch("/team", response_model=TeamRead)
async def update_current_team(
    changes: TeamUpdate, team: CurrentTeam, database: DatabaseDep
) -> TeamRead:
    """Change the team's settings: `review_by_default` holds new posts for review."""
    async with database.session(write=True) as session:
        return await service.update_team(session, team.id, changes)
