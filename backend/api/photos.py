from flask import send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import photos
from .schemas import PhotoQuerySchema

blp = Blueprint("photos", __name__, url_prefix="/api/v1/photos", description="Finding photos")


@blp.route("/<photo_id>")
class PhotoFile(MethodView):
    @requires(Role.OFFICE, Role.DEPARTMENT, Role.INSPECTOR)
    @blp.arguments(PhotoQuerySchema, location="query")
    @blp.response(200, content_type="image/jpeg")
    def get(self, query, photo_id):
        """The photo (original) or its 320 px thumbnail, for whoever may see its ticket"""
        photo, stream, content_type = photos.open_file(current_actor(), photo_id, query["size"])
        return send_file(stream, mimetype=content_type, max_age=3600, etag=photo.sha256 + query["size"])
