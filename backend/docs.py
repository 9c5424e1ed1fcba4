"""Swagger UI served from the installed `swagger-ui-bundle` package: /docs works offline
(no CDN, and the assets are the version installed with the backend)."""
from flask import Blueprint
from swagger_ui_bundle import swagger_ui_path

ASSETS_URL = "/docs/assets/"


def register(app) -> None:
    app.register_blueprint(Blueprint("swagger_ui_assets", __name__, static_folder=swagger_ui_path,
                                     static_url_path=ASSETS_URL.rstrip("/")))
