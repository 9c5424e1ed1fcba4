"""Office, department and admin blueprints: thin views over the services."""


def register_blueprints(api) -> None:
    from . import (auth, open311, photos, places, public, public_reports, return_visits, routing, sla, stats,
                   tasks, tickets, users)
    for module in (auth, users, places, tasks, tickets, stats, routing, sla, photos, public, public_reports,
                   return_visits):
        api.register_blueprint(module.blp)
    api.register_blueprint(open311.keys)
    open311.register(api._app)  # Open311's own formats: outside the OpenAPI document
