"""``/session``: the browser signs in once with an API key and gets an HttpOnly, SameSite=Strict
session cookie and the CSRF token its writes must repeat; ``DELETE`` signs out."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from graphsvc.api.auth import limit_attempts, session_cookie
from graphsvc.api.deps import PrincipalDep, SettingsDep
from graphsvc.auth import Principal
from graphsvc.auth.sessions import COOKIE, create_session, end_session
from graphsvc.errors import Unauthorized

router = APIRouter(tags=["session"])


class SessionPublic(BaseModel):
    """Who the browser is signed in as, and what it may see."""

    keys_required: bool = Field(description="whether this server needs a key (false: every "
                                "request acts with every right, as on a single machine)")
    signed_in: bool
    role: str | None = Field(description="viewer, planner, editor or admin")
    names: bool = Field(description="whether answers name individuals (else pseudonyms)")
    who: str | None = Field(description="the name of the key signed in with")
    csrf_token: str | None = Field(description="send it as X-CSRF-Token on every write")


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=200, description="an API key, gsk_…")


def session_public(request: Request, principal: Principal | None) -> SessionPublic:
    keys = request.app.state.auth.keys_required()
    if principal is None:
        return SessionPublic(keys_required=keys, signed_in=False, role=None, names=False,
                             who=None, csrf_token=None)
    return SessionPublic(keys_required=keys, signed_in=principal.via == "cookie",
                         role=principal.role, names=principal.names,
                         who=principal.who if keys else None, csrf_token=principal.csrf_token)


@router.get("/session", response_model=SessionPublic)
def get_session(request: Request, principal: PrincipalDep) -> SessionPublic:
    """Whether keys are needed, and who this browser (or key) acts as."""
    return session_public(request, principal)


@router.post("/session", response_model=SessionPublic)
def sign_in(request: Request, response: Response, body: SignIn, settings: SettingsDep
            ) -> SessionPublic:
    """Sign in with an API key: a session cookie (HttpOnly, SameSite=Strict) and its CSRF
    token. Attempts that cost a hash check are limited per client address and in all (429
    with ``Retry-After``); a wrong key tried again costs nothing and is not counted."""
    state = request.state
    state.audit = {"action": "sign_in_failed", "principal": None}
    checker = request.app.state.key_checker
    db = request.app.state.auth
    principal = checker.check(body.key, via="cookie", before_argon2=lambda: limit_attempts(
        db, settings, request.scope)) if db.keys_required() else None
    if principal is None:
        raise Unauthorized("error.unauthorized.key")
    token, principal = create_session(db, principal,
                                      idle_s=settings.session_idle_hours * 3600,
                                      max_s=settings.session_max_hours * 3600)
    state.audit = {"action": "sign_in", "principal": principal}
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    return session_public(request, principal)


@router.delete("/session", status_code=204)
def sign_out(request: Request, principal: PrincipalDep) -> Response:
    """Sign out: the session ends on the server and the cookie is cleared."""
    token = session_cookie(request.scope)
    if token:
        end_session(request.app.state.auth, token)
    if principal is not None and principal.via == "cookie":
        request.state.audit = {"action": "sign_out", "principal": principal}
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    return response
