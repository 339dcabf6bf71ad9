"""Query Lambda: API Gateway (REST, proxy) -> the routes in query.routes -> JSON.

Thin: Powertools routes and validates, the routes call query.logic and the DAL; bad input of
any kind (our checks or Powertools' validation) answers 400 with {"error", "hint", "parameter"}.
"""

from __future__ import annotations

import importlib
import json

from aws_lambda_powertools.event_handler import (
    APIGatewayRestResolver,
    CORSConfig,
    Response,
    content_types,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from cloudtrail_tracker.dal.reader import InvalidStartKey, UnprocessedKeysError
from cloudtrail_tracker.observability import MetricUnit, logger, metrics, tracer
from cloudtrail_tracker.settings import ConfigurationError, CorsSettings
from query.logic.errors import ApiError
from query.routes import ROUTE_MODULES
from query.routes.parameters import QUERY_MODELS, given_twice, names_of, repeated_parameter

TITLE = "CloudTrail-Tracker query API"
VERSION = "1.0.0"


def _cors() -> CORSConfig | None:
    """CORS for the origins in CORS_ORIGINS (none: no CORS headers, same-origin only)."""
    origins = CorsSettings.from_env().cors_origins  # the resolver is made at import: read now
    if not origins:
        return None
    return CORSConfig(allow_origin=origins[0], extra_origins=list(origins[1:]), max_age=600,
                      allow_headers=["Authorization", "Content-Type", "X-Amz-Date", "X-Amz-Security-Token"])


app = APIGatewayRestResolver(enable_validation=True, cors=_cors())
for _module in ROUTE_MODULES:
    app.include_router(importlib.import_module(_module).router)


def _json(status: int, body: dict) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.exception_handler(ApiError)
def _api_error(error: ApiError) -> Response:
    log = logger.error if error.status >= 500 else logger.info  # a misconfigured stack must show in the logs
    log("refused", extra={"status": error.status, "error": error.error, "path": app.current_event.path})
    return _json(error.status, error.body())


@app.exception_handler(ConfigurationError)
def _misconfigured(error: ConfigurationError) -> Response:
    logger.error("misconfigured", extra={"error": str(error), "path": app.current_event.path})
    return _json(500, {"error": f"the server is misconfigured: {error}", "hint": "the operator must fix the function's settings"})


@app.exception_handler(InvalidStartKey)
def _foreign_start_key(_error: InvalidStartKey) -> Response:  # the routes check first; this is the backstop
    return _json(400, {"error": "next is not a cursor this API issued", "hint": "start again without next",
                       "parameter": "next"})


@app.exception_handler(UnprocessedKeysError)
def _throttled(error: UnprocessedKeysError) -> Response:
    logger.warning("throttled", extra={"error": str(error), "path": app.current_event.path})
    return _json(503, {"error": "the table is busy: some reads were throttled", "hint": "retry in a few seconds"})


@app.exception_handler(RequestValidationError)
def _invalid(error: RequestValidationError) -> Response:
    problems = error.errors() or [{}]
    if any(tuple(problem.get("loc", ()))[:1] == ("response",) for problem in problems):
        # Powertools raises the same error when an answer does not match its model: our bug, not bad input
        logger.error("answer does not match its model", extra={"errors": problems, "path": app.current_event.path})
        return _json(500, {"error": "the server built an invalid answer", "hint": "report this request"})
    repeated = repeated_parameter(app.current_event)
    if repeated:  # Powertools saw a list where it expects one string: say what happened
        return _api_error(given_twice(repeated))
    problem = problems[0]
    location = [str(part) for part in problem.get("loc", ())]
    parameter = location[-1] if location else None
    return _json(400, {"error": f"{parameter}: {problem.get('msg', 'invalid value')}",
                       "hint": _hint(parameter, problem), "parameter": parameter})


def _hint(parameter: str | None, problem: dict) -> str:
    if parameter == "limit":
        return "limit is a whole number from 1 to 1000"
    if parameter == "by":
        return "by is one of user, service, eventName, day, errorCode"
    context = problem.get("ctx") or {}
    return f"expected {context['expected']}" if "expected" in context else "see /openapi.json for this path's parameters"


@app.not_found
def _not_found(_error) -> Response:
    return _json(404, {"error": f"no such path: {app.current_event.path}",
                       "hint": "see /openapi.json for the paths of this API"})


@app.get("/openapi.json", include_in_schema=False)
def openapi():
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_json())


def openapi_json() -> str:
    """The OpenAPI document Powertools generates from the routes (also committed as docs/openapi.json),
    without the 422 Powertools adds to every operation (its validation errors are answered as 400s,
    with the body of every error), and with each query parameter described by its model's field."""
    document = json.loads(app.get_openapi_json_schema(
        title=TITLE, version=VERSION, description="Who did what, where and when: CloudTrail events stored by CloudTrail-Tracker."))
    for path, operations in document["paths"].items():
        for operation in operations.values():
            operation["responses"].pop("422", None)
            _describe_query(path, operation.get("parameters", []))
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError", *(m.__name__ for m in QUERY_MODELS)):
        document["components"]["schemas"].pop(unused, None)
    return json.dumps(document, indent=2)


def _describe_query(path: str, parameters: list[dict]) -> None:
    """Each query parameter's schema from its model's field (Powertools keeps only the type: not the
    bounds, the choices, the default)."""
    query = [parameter for parameter in parameters if parameter["in"] == "query"]
    if not query:
        return
    names = {parameter["name"] for parameter in query}
    model = next((m for m in QUERY_MODELS if names_of(m) == names), None)
    if model is None:
        raise RuntimeError(f"{path}: no query model takes exactly {sorted(names)}")
    fields = model.model_json_schema(by_alias=True)["properties"]
    for parameter in query:
        parameter["schema"] = fields[parameter["name"]]
        if "description" in parameter["schema"]:
            parameter["description"] = parameter["schema"]["description"]


app.enable_swagger(path="/swagger", title=TITLE, version=VERSION)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    response = app.resolve(event, context)
    metrics.add_metric(name="ApiCalls", unit=MetricUnit.Count, value=1)
    if response.get("statusCode", 200) >= 400:
        metrics.add_metric(name="ApiRefusals", unit=MetricUnit.Count, value=1)
    return response
