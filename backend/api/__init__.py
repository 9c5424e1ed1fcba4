"""Office, department and admin blueprints: thin views over the services."""


def register_blueprints(api) -> None:
    from . import accountability, auth, bulletins, clues, photos, places, routing, sla, stats, suggestions, tasks, tickets, users
    for module in (auth, users, places, tasks, tickets, stats, routing, sla, photos, clues, suggestions,
                   bulletins, accountability):
        api.register_blueprint(module.blp)
