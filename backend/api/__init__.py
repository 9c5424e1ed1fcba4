"""Office, department and admin blueprints: thin views over the services."""


def register_blueprints(api, app) -> None:
    from . import (accountability, audit, auth, bulletins, clues, open311, photos, places, public, public_reports,
                   return_visits, routing, settings, sla, stats, suggestions, tasks, tickets, users)
    from . import organisations, rectification, review, rounds  # the inspection round (issue 11)
    for module in (auth, users, places, tasks, tickets, stats, routing, sla, photos, audit, settings,
                   clues, suggestions, bulletins, accountability, public, public_reports, return_visits,
                   rounds, review, organisations, rectification):
        api.register_blueprint(module.blp)
    api.register_blueprint(open311.keys)
    open311.register(app)  # Open311's own formats: outside the OpenAPI document
