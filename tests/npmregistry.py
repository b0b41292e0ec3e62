"""A local npm registry served from memory at test time, so pnpm can lock synthetic packages with
no network (the seeded pnpm differential in test_lockfiles_differential.py).

`NpmRegistry(packages)` serves, on 127.0.0.1 and a free port, the registry protocol pnpm uses: a
packument at `/<name>` (every version with its `dist.tarball` and `dist.integrity`) and each
tarball at `/<name>/-/<name>-<version>.tgz` (a `package/package.json`, nothing else). Tarballs
are built with fixed timestamps, so their integrity is the same on every run.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    dependencies: Mapping[str, str] = field(default_factory=dict)


def _tarball(pkg: NpmPackage) -> bytes:
    manifest = {"name": pkg.name, "version": pkg.version, "dependencies": dict(pkg.dependencies)}
    data = json.dumps(manifest, indent=2).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("package/package.json")
        info.size, info.mtime, info.mode = len(data), 1_700_000_000, 0o644
        tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


class NpmRegistry:
    """Serve `packages` until `close()`; `url` is the registry URL (with its trailing slash)."""

    def __init__(self, packages: Iterable[NpmPackage]) -> None:
        self.tarballs: dict[str, bytes] = {}
        versions: dict[str, dict[str, object]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        for pkg in packages:
            tgz = _tarball(pkg)
            path = f"{pkg.name}/-/{pkg.name.split('/')[-1]}-{pkg.version}.tgz"
            self.tarballs[path] = tgz
            digest = base64.b64encode(hashlib.sha512(tgz).digest()).decode()
            versions.setdefault(pkg.name, {})[pkg.version] = {
                "name": pkg.name,
                "version": pkg.version,
                "dependencies": dict(pkg.dependencies),
                "dist": {
                    "tarball": self.url + path,
                    "integrity": f"sha512-{digest}",
                    "shasum": hashlib.sha1(tgz).hexdigest(),
                },
            }
        self.packuments = {
            name: json.dumps(
                {"name": name, "dist-tags": {"latest": list(v)[-1]}, "versions": v}
            ).encode()
            for name, v in versions.items()
        }
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = unquote(self.path.split("?", 1)[0]).lstrip("/")
                body = registry.packuments.get(path) or registry.tarballs.get(path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                kind = "application/json" if path in registry.packuments else "application/gzip"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
