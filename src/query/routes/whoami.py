"""Who the API thinks the caller is."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from ..models import WhoAmI
from .answers import answers
from .caller import caller_of
from .parameters import NoParameters, check_names

router = Router()


@router.get("/whoami", responses=answers(), tags=["auth"],
            summary="The caller: the actor they own, whether they are an admin, the auth mode")
def whoami() -> WhoAmI:
    check_names(router.current_event, NoParameters)
    return WhoAmI(**caller_of(router.current_event).as_dict())
