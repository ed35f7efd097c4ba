"""Hostile uploads: each gets a clear 4xx, the server stays up, and nothing is written outside
a job's own folder (nor a job folder for a refused upload)."""

import io
import os
import stat
import struct
import zipfile
import zlib

import requests

from conftest import error_of, face_image, png_bytes


def png_claiming(width, height):
    """A PNG whose header declares width x height, followed by a tiny IDAT (a decompression bomb's header)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")


def zip_bytes(entries, links=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in entries:
            z.writestr(name, data)
        for name, target in links:
            info = zipfile.ZipInfo(name)
            info.create_system = 3  # Unix
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, target)
    return buffer.getvalue()


def job_folders(server):
    return sorted(os.listdir(server.jobs_dir))


def test_bad_images(server):
    face = png_bytes(face_image())
    error_of(requests.post(server.url + "/v1/restore", data=face[: len(face) // 2]), 415, "decode-failed", "the upload")
    error_of(requests.post(server.url + "/v1/restore", data=b""), 400, "no-image")
    error_of(requests.post(server.url + "/v1/restore", files={"image": ("empty.png", b"")}), 400, "no-image")
    # 100000 x 100000 declared: refused from the header, before any pixel memory is taken.
    body = error_of(requests.post(server.url + "/v1/restore", data=png_claiming(100000, 100000)), 422, "invalid-image")
    assert "100000x100000" in body["message"]
    error_of(requests.post(server.url + "/v1/restore", data=png_claiming(0, 0)), 415, "decode-failed")
    error_of(requests.post(server.url + "/v1/restore", data=b"\xff\xd8\xff\xe0" + b"\0" * 100), 415, "decode-failed", "corrupt JPEG")
    assert requests.get(server.url + "/health").status_code == 200


def test_hostile_zips(server, tmp_path):
    before = job_folders(server)
    face = png_bytes(face_image())
    outside = os.path.join(os.path.dirname(server.jobs_dir), "escaped.png")
    cases = [
        (zip_bytes([("ok.png", face), ("../escaped.png", face)]), 400, "unsafe path"),
        (zip_bytes([("ok.png", face), ("/tmp/escaped.png", face)]), 400, "unsafe path"),
        (zip_bytes([("ok.png", face), ("a/../../escaped.png", face)]), 400, "unsafe path"),
        (zip_bytes([("ok.png", face)], links=[("link.png", "/etc/passwd")]), 400, "is a link"),
        (zip_bytes([(f"tiny/{i}.png", b"x") for i in range(10000)]), 400, "more than 1000 images"),
        (zip_bytes([("readme.txt", b"no images here")]), 400, "no images"),
        (b"PK\x03\x04 this is not a zip", 400, "not a readable zip"),
    ]
    for data, status, message in cases:
        r = requests.post(server.url + "/v1/jobs", files={"image": ("album.zip", data)})
        error_of(r, status, contains=message)
    assert not os.path.exists(outside)
    assert not os.path.exists("/tmp/escaped.png")
    assert job_folders(server) == before, "a refused upload left a folder behind"
    # A job with a plain request body, and with no files, is refused too.
    error_of(requests.post(server.url + "/v1/jobs", data=face), 400, "no-images")
    error_of(requests.post(server.url + "/v1/jobs", files={"other": ("a.png", face)}), 400, "no-images")
    assert job_folders(server) == before


def test_zip_album(server):
    """A good zip keeps its folders; hidden files and Mac metadata are left out; same-named
    photos get distinct outputs."""
    face = png_bytes(face_image())
    data = zip_bytes([("album/a.png", face), ("album/a.jpg", face), ("album/sub/b.png", face),
                      ("__MACOSX/album/._a.png", b"junk"), (".hidden.png", face), ("album/", b"")])
    r = requests.post(server.url + "/v1/jobs", files={"image": ("album.zip", data)}, data={"strength": "50"})
    assert r.status_code == 202, r.text
    j = server.wait_job(r.json()["id"])
    assert j["state"] == "done"
    assert sorted(f["name"] for f in j["files"]) == ["album/a-2.jpg", "album/a.png", "album/sub/b.png"]
    with zipfile.ZipFile(io.BytesIO(requests.get(server.url + j["result"]).content)) as z:
        assert sorted(z.namelist()) == ["album/a-2.png", "album/a.png", "album/sub/b.png", "report.json"]
