import io

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
        """The photo's web version (1600 px, upright, no EXIF), its 320 px thumbnail, or the
        original (its uploader and the office only), for whoever may see its ticket.
        409 while the photo is still processing or when it failed"""
        photo, data, content_type = photos.open_file(current_actor(), photo_id, query["size"])
        response = send_file(io.BytesIO(data), mimetype=content_type, max_age=3600, conditional=True,
                             etag=f"{photo.sha256}-{query['size']}")
        response.cache_control.private = True  # behind authentication: no shared caches
        return response
