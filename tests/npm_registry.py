"""A throwaway npm registry on 127.0.0.1 for the package-manager differential tests that must not
touch the network (bun's, the seeded pnpm variants; as `goproxy.py` is for Go): synthetic
packages, each a packument and a tarball, served by a `http.server` thread for the duration of a
test module.

    with NpmRegistry([NpmPackage("leaf", "1.0.0"), ...]) as registry:
        registry.url  # http://127.0.0.1:PORT/
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import unquote


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    dependencies: dict[str, str] = field(default_factory=dict)

    def manifest(self) -> dict[str, object]:
        return {"name": self.name, "version": self.version, "dependencies": self.dependencies}


def tarball(package: NpmPackage) -> bytes:
    """`package/package.json` and an index.js, gzipped, with fixed times (reproducible bytes)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz", format=tarfile.USTAR_FORMAT) as tar:
        files = {
            "package/package.json": json.dumps(package.manifest()).encode(),
            "package/index.js": f"module.exports = {json.dumps(package.name)};\n".encode(),
        }
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


class NpmRegistry:
    """The packuments (`GET /<name>`) and tarballs (`GET /<name>/-/<file>.tgz`) of `packages`."""

    def __init__(self, packages: list[NpmPackage]) -> None:
        self.packages = packages
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._tarballs: dict[str, bytes] = {}
        self._packuments: dict[str, bytes] = {}
        self._build()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _build(self) -> None:
        by_name: dict[str, dict[str, object]] = {}
        for package in self.packages:
            data = tarball(package)
            base = package.name.rsplit("/", 1)[-1]
            path = f"{package.name}/-/{base}-{package.version}.tgz"
            self._tarballs[path] = data
            digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
            version = {
                **package.manifest(),
                "dist": {
                    "tarball": self.url + path,
                    "integrity": f"sha512-{digest}",
                    "shasum": hashlib.sha1(data).hexdigest(),
                },
            }
            entry = by_name.setdefault(package.name, {"name": package.name, "versions": {}})
            versions = entry["versions"]
            assert isinstance(versions, dict)
            versions[package.version] = version
            entry["dist-tags"] = {"latest": package.version}
        self._packuments = {n: json.dumps(p).encode() for n, p in by_name.items()}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = unquote(self.path.split("?", 1)[0]).lstrip("/")
                registry.requests.append(path)
                body = registry._tarballs.get(path) or registry._packuments.get(path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                kind = "application/octet-stream" if path.endswith(".tgz") else "application/json"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler

    def __enter__(self) -> NpmRegistry:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
