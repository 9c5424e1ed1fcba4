"""Where photo bytes live: one small interface, GridFS by default or a local directory.

Keys are ours (`<photo id>/<variant>`), so writing the same key again is a harmless
overwrite: a derivation job that runs twice stores the same files once.

PHOTO_STORAGE=gridfs (default) keeps files in MongoDB's `photo_files` GridFS bucket;
PHOTO_STORAGE=local with PHOTO_STORAGE_DIR keeps them as files in that directory.
"""
import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


class MissingFile(LookupError):
    pass


class GridFSStorage:
    def __init__(self, collection: str = "photo_files"):
        self.collection = collection

    def _fs(self):
        import gridfs
        import mongoengine
        return gridfs.GridFS(mongoengine.get_db(), collection=self.collection)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        fs = self._fs()
        self.delete(key)
        fs.put(data, _id=key, filename=key, content_type=content_type)

    def get(self, key: str) -> bytes:
        import gridfs
        try:
            return self._fs().get(key).read()
        except gridfs.errors.NoFile:
            raise MissingFile(key)

    def delete(self, key: str) -> None:
        self._fs().delete(key)


class LocalDirStorage:
    def __init__(self, root: str):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key {key!r} leaves the storage directory")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside it, then rename: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise MissingFile(key)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def photo_storage() -> Storage:
    config = current_app.config
    if config["PHOTO_STORAGE"] == "local":
        return LocalDirStorage(config["PHOTO_STORAGE_DIR"])
    return GridFSStorage()
