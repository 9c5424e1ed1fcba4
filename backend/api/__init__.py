"""Office, department and admin blueprints: thin views over the services."""


def register_blueprints(api) -> None:
    from . import (auth, follow_ups, photos, places, public, public_reports, routing, sla, stats, tasks,
                   tickets, users)
    for module in (auth, users, places, tasks, tickets, stats, routing, sla, photos, public, public_reports,
                   follow_ups):
        api.register_blueprint(module.blp)
