"""The inspectors' API, under /api/v1/mobile/: tasks, check-in, findings, photos, tickets."""


def register_blueprints(api) -> None:
    from . import uploads
    from .views import blp
    from .rectification import blp as rectification_blp
    api.register_blueprint(blp)
    api.register_blueprint(rectification_blp)
    api.register_blueprint(uploads.blp)
