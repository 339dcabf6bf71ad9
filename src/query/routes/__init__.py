"""Route modules of the query API; each has a ``router``. Adding one is one line here."""

ROUTE_MODULES = (
    "query.routes.lists",
    "query.routes.registry",
    "query.routes.event",
    "query.routes.aggregates",
    "query.routes.whoami",
    "query.routes.checklists",  # course checklists
    "query.routes.span",  # first and last day with events
    "query.routes.running",  # resources: what is running, one resource
    "query.routes.spend",  # what an actor's resources cost
    "query.routes.policy",  # least-privilege policies
    "query.routes.alerts",  # detections
    "query.routes.console_sessions",  # console sign-ins and what each changed
)
