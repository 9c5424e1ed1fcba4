"""Benchmark: a 10 MB photo over a link that drops, with and without resumable uploads.

Starts the embedded demo (gunicorn, `python -m backend.serving`) on a loopback port, logs
in as inspector1 and submits a finding. Then, for a cut at 50 % and at 90 % of the file:

- whole-file upload (`POST …/findings/{id}/photos`, multipart): the connection is closed
  after that share of the body has been sent; the phone starts again from zero;
- resumable upload (`/api/v1/mobile/uploads`, chunks keyed by the photo's SHA-256): the
  connection is closed in the middle of the chunk in flight at that point; the phone asks
  where to resume (`GET …/uploads/{sha256}`) and sends the rest.

Reported: body bytes sent in all, bytes sent again (total − file size), and those against
one chunk (goal: under one chunk). The file is a JPEG made here (noise, ~10 MB); after the
resumable run it is attached to the finding and its original's SHA-256 is checked.

    .venv/bin/python bench/resumable_upload.py [--chunk-kb 256] [--port 5112] [--size-mb 10]
"""
import argparse
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parents[1]


def make_jpeg(size_mb: float, seed: int = 0) -> bytes:
    """A valid JPEG of about `size_mb` MB: noise does not compress."""
    import random

    from PIL import Image
    side = 1200
    while True:
        rng = random.Random(side * 10 + seed)
        image = Image.frombytes("RGB", (side, side * 3 // 4), bytes(rng.getrandbits(8) for _ in range(side * side * 9 // 4)))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=92)
        if out.tell() >= size_mb * 1024 * 1024 or side > 6000:
            return out.getvalue()
        side = int(side * (size_mb * 1024 * 1024 / out.tell()) ** 0.5 * 1.05) + 16


def raw_request(url: str, method: str, path: str, headers: dict, body: bytes, cut_after: int | None = None):
    """Send one HTTP/1.1 request over a fresh socket; with `cut_after`, close the connection
    after that many body bytes (the link drops). Returns (status or None, body bytes sent)."""
    parsed = urlparse(url)
    sock = socket.create_connection((parsed.hostname, parsed.port), timeout=60)
    try:
        head = [f"{method} {path} HTTP/1.1", f"Host: {parsed.hostname}:{parsed.port}",
                f"Content-Length: {len(body)}", "Connection: close"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        payload = body if cut_after is None else body[:cut_after]
        sock.sendall(payload)
        if cut_after is not None:
            return None, len(payload)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return int(answer.split(b" ", 2)[1]), len(payload)
    finally:
        sock.close()


def multipart(data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def whole_file(url, token, finding_id, data, cut) -> int:
    body, content_type = multipart(data)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
    path = f"/api/v1/mobile/findings/{finding_id}/photos"
    _, sent_cut = raw_request(url, "POST", path, headers, body, cut_after=int(len(body) * cut))
    status, sent = raw_request(url, "POST", path, headers, body)
    assert status in (200, 201), status
    return sent_cut + sent - len(body)


def resumable(url, token, data, chunk, cut) -> tuple[int, int]:
    sha = hashlib.sha256(data).hexdigest()
    auth = {"Authorization": f"Bearer {token}"}
    r = requests.post(f"{url}/api/v1/mobile/uploads", json={"sha256": sha, "size": len(data)}, headers=auth, timeout=30)
    assert r.status_code in (200, 201), r.text
    offset, sent, cut_at, cut_done, kept = r.json()["offset"], 0, int(len(data) * cut), False, 0
    while offset < len(data):
        piece = data[offset:offset + chunk]
        headers = {**auth, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
        if not cut_done and offset + len(piece) > cut_at:
            _, n = raw_request(url, "PATCH", f"/api/v1/mobile/uploads/{sha}", headers, piece, cut_after=cut_at - offset)
            sent += n
            cut_done = True
            time.sleep(0.2)  # the server notices the dropped connection
            resumed = requests.get(f"{url}/api/v1/mobile/uploads/{sha}", headers=auth, timeout=30).json()["offset"]
            kept = resumed - offset  # of the cut chunk, what the server stored (tus keeps what arrived)
            offset = resumed
            continue
        status, n = raw_request(url, "PATCH", f"/api/v1/mobile/uploads/{sha}", headers, piece)
        assert status == 200, status
        sent += n
        offset += len(piece)
    return sent - len(data), sent, kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5112)
    parser.add_argument("--chunk-kb", type=int, default=256)
    parser.add_argument("--size-mb", type=float, default=10.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    log = tempfile.NamedTemporaryFile(prefix="resumable_upload_server_", suffix=".log", delete=False)
    env = {**os.environ, "PORT": str(args.port), "MAX_UPLOAD_MB": str(int(args.size_mb) + 10)}
    env.pop("MONGODB_URI", None)
    env.pop("REDIS_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "backend.serving"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        for _ in range(240):
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.25)
        else:
            print(f"the demo did not start; see {log.name}", file=sys.stderr)
            return 2
        data = make_jpeg(args.size_mb)
        token = requests.post(f"{url}/api/v1/auth/token", json={"username": "inspector1", "password": "demo12345"},
                              timeout=30).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        task = sorted(requests.get(f"{url}/api/v1/mobile/tasks", headers=auth, timeout=30).json(),
                      key=lambda t: t["name"])[0]
        chunk = args.chunk_kb * 1024
        rows = []
        for cut in (0.5, 0.9):
            finding = requests.post(f"{url}/api/v1/mobile/findings", headers=auth, timeout=30, json={
                "client_id": str(uuid.uuid4()), "task_id": task["id"], "village_code": task["village_codes"][0],
                "category": "livelihood", "severity": "general", "title": "村内主干道路面坑洼",
                "description": "路面坑洼严重，雨天积水。", "location": {"lat": 35.79, "lon": 118.63, "accuracy_m": 10},
                "observed_at": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(),
                "fact_basis": "现场查看", "policy_basis": "条例", "responsibility_basis": "交通运输局"}).json()
            again_whole = whole_file(url, token, finding["id"], data, cut)
            variant = make_jpeg(args.size_mb, seed=int(cut * 10))  # another file for each run (its own SHA-256)
            again_chunks, sent, kept = resumable(url, token, variant, chunk, cut)
            sha = hashlib.sha256(variant).hexdigest()
            attach = requests.post(f"{url}/api/v1/mobile/uploads/{sha}/attach", headers=auth, timeout=60,
                                   json={"finding_id": finding["id"]})
            assert attach.status_code == 201, attach.text
            original = requests.get(f"{url}/api/v1/photos/{attach.json()['id']}?size=original", headers=auth, timeout=60)
            assert hashlib.sha256(original.content).hexdigest() == sha
            rows.append({"cut": cut, "whole_file_resent_bytes": again_whole, "resumable_resent_bytes": again_chunks,
                         "resumable_sent_bytes": sent, "chunk_bytes": chunk, "cut_chunk_bytes_kept": kept,
                         "cut_chunk_bytes_sent": int(len(variant) * cut) % chunk})
        print(f"\n=== resumable upload: a {len(data) / 1048576:.1f} MB JPEG, chunks of {args.chunk_kb} KB ===")
        print(f"{'cut at':>7} {'whole file: sent again':>24} {'resumable: sent again':>23} {'in chunks':>10}"
              f" {'cut chunk: arrived / kept':>27}")
        for row in rows:
            print(f"{row['cut']:>6.0%} {row['whole_file_resent_bytes']:>21,} B {row['resumable_resent_bytes']:>20,} B "
                  f"{row['resumable_resent_bytes'] / chunk:>9.2f} {row['cut_chunk_bytes_sent']:>14,} / {row['cut_chunk_bytes_kept']:,} B")
        print("(body bytes. Of the chunk in flight when the link dropped, the server keeps what arrived,\n"
              " as tus does; what it could not keep is sent again. The whole file's SHA-256 is checked at the end.)")
        if args.json:
            print(json.dumps({"file_bytes": len(data), "rows": rows}))
        return 0 if all(r["resumable_resent_bytes"] < chunk for r in rows) else 1
    finally:
        server.terminate()
        server.wait(30)
        log.close()


if __name__ == "__main__":
    sys.exit(main())
