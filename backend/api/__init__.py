"""Office, department and admin blueprints: thin views over the services."""


def register_blueprints(api) -> None:
    from . import auth, photos, routing, stats, tasks, tickets
    for module in (auth, tasks, tickets, stats, routing, photos):
        api.register_blueprint(module.blp)
