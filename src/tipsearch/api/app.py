"""The HTTP API: one route per CLI command, each a few lines that lease the live Library, call it and answer the JSON
that `tipsearch COMMAND --json` prints (serialize.py's *_json functions, the same for both).

Typed errors become one line, {"error": "..."}: a bad parameter 422, a malformed body 400, an unknown document or
paragraph 404, an index that is missing, damaged or being switched 503, an answer over the time limit 503; a
missing or wrong token 401. Document text only ever travels in a JSON body: no header, redirect or log line holds
it (log lines quote what a client sent with repr).
"""

# No `from __future__ import annotations`: FastAPI reads the parameter types of routes defined in create_app.
import hmac
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tipsearch.api.live import LiveLibrary
from tipsearch.errors import (
    BadFilterError, BadOptionError, IndexBusyError, IndexCorruptError, IndexMissingError, ModelMissingError,
    NotFoundError, StoreUnavailableError, TipsearchError,
)
from tipsearch.ingest.language import LANGUAGES
from tipsearch.library import Library
from tipsearch.models import e5
from tipsearch.search.filters import Filters
from tipsearch.serialize import (
    compare_json, document_json, documents_json, hits_json, history_json, timeline_json,
)

log = logging.getLogger(__name__)

WARM_QUESTION = "assistance to victims of trafficking in persons"


@dataclass(frozen=True)
class Limits:
    """What one request may ask; each is documented in docs/api.md and enforced before the library is called."""

    question_chars: int = 1000  # a question, a document reference or a paragraph reference
    k: int = 100  # hits asked for (and --group's N)
    body_bytes: int = 64 * 1024  # a request body (POST /search)
    seconds: float = 30.0  # one answer, its wait for a thread included; past it the client gets 503 (the search
    # finishes in the background)
    threads: int = 4  # answers computed at once in one worker; the rest wait their turn (the GIL makes more threads
    # cost more than they give: each search is CPU work)


# Which HTTP status each typed error is; the first class that matches wins.
STATUS: tuple[tuple[type[TipsearchError], int], ...] = (
    (NotFoundError, 404),
    (BadFilterError, 422),
    (BadOptionError, 422),
    (IndexMissingError, 503),
    (IndexCorruptError, 503),
    (IndexBusyError, 503),
    (ModelMissingError, 503),
    (StoreUnavailableError, 503),  # a Milvus store out of reach (index/milvus.py)
    (TipsearchError, 400),
)

Mode = Literal["hybrid", "keyword", "semantic"]
Kind = Literal["recommendation", "other"]
Language = Literal[tuple(LANGUAGES)]  # type: ignore[valid-type]


class Unauthorized(Exception):
    """No token, or not the server's."""


def status_of(error: TipsearchError) -> int:
    return next(code for cls, code in STATUS if isinstance(error, cls))


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class BodyLimit:
    """Refuse a request body over the limit (413) by its Content-Length, or while a chunked one arrives."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _error(413, self._message())(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:  # FastAPI passes an HTTPException raised while reading the body on as it is
                raise HTTPException(413, self._message())
            return message

        await self.app(scope, limited, send)

    def _message(self) -> str:
        return f"the request body is over {self.limit} bytes: ask one question at a time, under the question limit"


TEXT_CHARS = 1000  # a filter's text, as a question
Text = Annotated[str, StringConstraints(max_length=TEXT_CHARS)]
Year = Annotated[int | None, Query(ge=0, le=9999)]


def _filters(year_from: Annotated[Year, Query(description="documents of this year or later")] = None,
             year_to: Annotated[Year, Query(description="documents of this year or earlier")] = None,
             documents: Annotated[list[Text], Query(max_length=100, description="only these documents (id, "
                                                    "symbol or file name; --document): repeat it")] = [],  # noqa: B006
             body: Annotated[Text | None, Query(description='a body whose name contains this: "working group"')] = None,
             kind: Annotated[Kind | None, Query(description="only recommendations, or only other paragraphs")] = None,
             state: Annotated[Text | None, Query(description="a review recommendation's recommending State, part of "
                                                             "its name")] = None,
             language: Annotated[Language | None, Query(description="only documents written in this language")] = None,
             ) -> Filters:
    return Filters(year_from, year_to, tuple(documents), body, kind, state, language)


class SearchBody(BaseModel):
    """POST /search: the same fields as GET /search's parameters."""

    model_config = ConfigDict(extra="forbid")
    q: str = Field(min_length=1, description="the question, in plain language")
    k: int = Field(10, ge=1, description="how many paragraphs")
    mode: Mode = "hybrid"
    group: int | None = Field(None, ge=1, description="at most this many paragraphs per document")
    collapse: bool = Field(True, description="a text repeated in several documents is one hit, the others in also_in")
    year_from: int | None = Field(None, ge=0, le=9999)
    year_to: int | None = Field(None, ge=0, le=9999)
    documents: list[Text] = Field(default_factory=list, max_length=100)
    body: Text | None = None
    kind: Kind | None = None
    state: Text | None = None
    language: Language | None = None  # type: ignore[valid-type]


def create_app(index_dir: Path | str, token: str | None = None, limits: Limits = Limits(),
               open_library: Callable[[Path], Library] = Library.open) -> FastAPI:
    """The API over the index at index_dir; with a token, every route but /health needs `Authorization: Bearer
    TOKEN`."""
    live = LiveLibrary(index_dir, open_library, warm=lambda lib: lib.search(WARM_QUESTION, k=1))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:  # open and warm the index before the first request; without one, answer 503 until it is built
            await anyio.to_thread.run_sync(live.ready)
        except TipsearchError as e:
            log.warning("not ready: %r", str(e))
        except Exception:  # the worker stays up; each request tries again and answers what fails
            log.exception("opening the index failed")
        yield
        live.close()

    app = FastAPI(
        title="tipsearch", version="0.1.0", lifespan=lifespan, redirect_slashes=False,
        description="Search anti-trafficking documents; every answer cited by paragraph. Each route answers what "
                    "`tipsearch COMMAND --json` prints. Errors are {\"error\": \"one line\"}. Limits: a question or "
                    f"reference of at most {limits.question_chars} characters, k at most {limits.k}, a body of at most "
                    f"{limits.body_bytes} bytes, {limits.seconds:g} s an answer.",
    )
    app.add_middleware(BodyLimit, limit=limits.body_bytes)  # type: ignore[arg-type]
    guard = [Depends(_token_check(token))] if token else []
    answering = anyio.CapacityLimiter(limits.threads)

    async def answer(work: Callable[[Library], Any]) -> JSONResponse:
        """Run work on the live Library in a worker thread, within the time limit."""
        def job() -> Any:
            with live.lease() as lib:
                return work(lib)
        try:
            with anyio.fail_after(limits.seconds):
                return JSONResponse(await anyio.to_thread.run_sync(job, abandon_on_cancel=True, limiter=answering))
        except TimeoutError:
            return _error(503, f"no answer within {limits.seconds:g} s: ask for fewer paragraphs (k) or narrow "
                               "the filters, or try again when the server is less busy")

    # -- errors ---------------------------------------------------------------------------------------
    @app.exception_handler(TipsearchError)
    async def typed(request: Request, e: TipsearchError) -> JSONResponse:
        status = status_of(e)
        log.log(logging.WARNING if status >= 500 else logging.INFO, "%s %r -> %d %r", request.method,
                request.url.path, status, str(e))
        return _error(status, _one_line(e))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        first = e.errors()[0] if e.errors() else {"loc": (), "msg": "invalid request", "type": ""}
        if first.get("type") == "json_invalid" or tuple(first.get("loc", ())) == ("body",):
            return _error(400, 'the body is not a JSON object: send {"q": "your question", "k": 10} with '
                               "Content-Type: application/json")
        loc = tuple(first.get("loc", ()))
        where = ".".join(map(str, loc[1:] if loc and loc[0] in ("query", "body", "path") else loc)) or "request"
        return _error(422, f"{where}: {_one_line(first.get('msg', 'invalid'))}: see /docs for the parameters")

    @app.exception_handler(StarletteHTTPException)  # FastAPI's HTTPException too; unknown paths (404), methods (405)
    async def http(request: Request, e: StarletteHTTPException) -> JSONResponse:
        return _error(e.status_code, _one_line(e.detail), getattr(e, "headers", None))

    @app.exception_handler(Unauthorized)
    async def unauthorized(request: Request, e: Unauthorized) -> JSONResponse:
        return _error(401, "this server needs `Authorization: Bearer TOKEN` with the token its operator gave you",
                      {"WWW-Authenticate": "Bearer"})

    @app.exception_handler(Exception)
    async def crashed(request: Request, e: Exception) -> JSONResponse:
        log.exception("%s %r failed", request.method, request.url.path)
        return _error(500, "the server failed on this request (its log says why): try again, or report it")

    # -- routes ---------------------------------------------------------------------------------------
    Question = Annotated[str, Query(min_length=1, max_length=limits.question_chars, description="the question")]
    Ref = Annotated[str, Query(min_length=1, max_length=limits.question_chars)]
    K = Annotated[int, Query(ge=1, le=limits.k, description="how many paragraphs")]
    Group = Annotated[int | None, Query(ge=1, le=limits.k, description="at most N paragraphs per document")]
    FiltersParam = Annotated[Filters, Depends(_filters)]

    @app.get("/health", summary="Ready or not; which generation and models answer")
    async def health() -> JSONResponse:
        def job() -> dict[str, Any]:
            with live.lease() as lib:
                m = lib.manifest
                models = list(m.models or (m.model,))
                return {"ready": True, "generation": m.generation, "built_at": m.built_at, "models": models,
                        "multilingual": e5.E5 in models and e5.available(), "documents": len(m.documents),
                        "units": m.units, "worker": os.getpid()}
        try:
            with anyio.fail_after(limits.seconds):
                return JSONResponse(await anyio.to_thread.run_sync(job, abandon_on_cancel=True))
        except (TipsearchError, TimeoutError) as e:
            why = _one_line(e) if isinstance(e, TipsearchError) else "the index is still opening"
            return JSONResponse({"ready": False, "error": why, "worker": os.getpid()}, status_code=503)

    @app.get("/search", summary="The paragraphs that answer a question, best first (tipsearch search --json)",
             dependencies=guard)
    async def search(q: Question, filters: FiltersParam, k: K = 10, mode: Mode = "hybrid", group: Group = None,
                     collapse: bool = True) -> JSONResponse:
        return await answer(lambda lib: hits_json(lib.search(q, k=k, mode=mode, filters=filters, group=group,
                                                             collapse=collapse)))

    @app.post("/search", summary="The same search, its parameters as a JSON body", dependencies=guard)
    async def search_body(body: SearchBody) -> JSONResponse:
        if len(body.q) > limits.question_chars or body.k > limits.k or (body.group or 0) > limits.k:
            raise BadOptionError(f"a question of at most {limits.question_chars} characters and k and group of at "
                                 f"most {limits.k}")
        filters = _filters(body.year_from, body.year_to, body.documents, body.body, body.kind, body.state,
                           body.language)
        return await answer(lambda lib: hits_json(lib.search(body.q, k=body.k, mode=body.mode, filters=filters,
                                                             group=body.group, collapse=body.collapse)))

    @app.get("/related", summary="From one paragraph, those on the same subject in other documents "
                                 "(tipsearch related --json)", dependencies=guard)
    async def related(document: Ref, paragraph: Ref, filters: FiltersParam, k: K = 10,
                      same_document: bool = False) -> JSONResponse:
        return await answer(lambda lib: hits_json(lib.related(document, paragraph, k=k, filters=filters,
                                                              same_document=same_document)))

    @app.get("/timeline", summary="A topic through time: each document's best paragraph, in date order "
                                  "(tipsearch timeline --json)", dependencies=guard)
    async def timeline(q: Question, filters: FiltersParam) -> JSONResponse:
        return await answer(lambda lib: timeline_json(lib.timeline(q, filters=filters)))

    @app.get("/compare", summary="Each unit of NEW with its counterpart in OLD (tipsearch compare --json)",
             dependencies=guard)
    async def compare(old: Ref, new: Ref, changes: bool = False) -> JSONResponse:
        return await answer(lambda lib: compare_json(lib.compare(old, new), changes=changes))

    @app.get("/history", summary="A paragraph back through its series, oldest first (tipsearch history --json)",
             dependencies=guard)
    async def history(document: Ref, paragraph: Ref) -> JSONResponse:
        return await answer(lambda lib: history_json(lib.history(document, paragraph)))

    @app.get("/documents", summary="The indexed documents (tipsearch documents --json)", dependencies=guard)
    async def documents() -> JSONResponse:
        return await answer(lambda lib: documents_json(lib.documents(), lib.predecessors()))

    @app.get("/documents/{ref:path}", summary="A document's units in order (tipsearch show --json); REF: id, "
                                              "symbol or file name", dependencies=guard)
    async def document(ref: str) -> JSONResponse:
        if not ref or len(ref) > limits.question_chars:
            raise BadOptionError(f"a document reference of 1 to {limits.question_chars} characters: an id, symbol "
                                 "or file name as /documents lists them")
        return await answer(lambda lib: document_json(*lib.document(ref)))

    return app


def _token_check(token: str) -> Callable[..., None]:
    expected = token.encode("utf-8")
    bearer = HTTPBearer(auto_error=False, description="the token in the server's --token-file")

    def check(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        given = credentials.credentials.encode("utf-8", "surrogateescape") if credentials else b""
        if not hmac.compare_digest(given, expected):  # constant time: no timing says how much of it was right
            raise Unauthorized()
    return check
