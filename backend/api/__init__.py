"""Office, department and admin blueprints: thin views over the services."""


def register_blueprints(api) -> None:
    from . import auth, photos, places, routing, sla, stats, tasks, tickets, users
    from . import organisations, rectification, review, rounds  # the inspection round (issue 11)
    for module in (auth, users, places, tasks, tickets, stats, routing, sla, photos,
                   rounds, review, organisations, rectification):
        api.register_blueprint(module.blp)
