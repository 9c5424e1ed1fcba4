"""Office, department and admin blueprints: thin views over the services."""


def register_blueprints(api) -> None:
    from . import audit, auth, photos, places, routing, settings, sla, stats, tasks, tickets, users
    for module in (auth, users, places, tasks, tickets, stats, routing, sla, photos, audit, settings):
        api.register_blueprint(module.blp)
