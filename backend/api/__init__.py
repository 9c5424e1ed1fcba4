"""Office, department and admin blueprints: thin views over the services."""


def register_blueprints(api) -> None:
    from . import auth, photos, routing, sla, stats, tasks, tickets
    for module in (auth, tasks, tickets, stats, routing, sla, photos):
        api.register_blueprint(module.blp)
