"""A tiny Docker registry (HTTP API v2) on 127.0.0.1 for the docker CLI tests:
Basic authentication as ada/s3cret, `GET /v2/` and one manifest. Prints its
port on stdout, then logs each request as `METHOD PATH auth=ok|bad|none` on
stderr (never the credentials)."""
import base64, hashlib, http.server, json, sys
USER, PASSWORD = "ada", "s3cret"
CONFIG = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}'
MANIFEST = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(CONFIG),
               "digest": "sha256:" + hashlib.sha256(CONFIG).hexdigest()},
    "layers": [],
}).encode()
class H(http.server.BaseHTTPRequestHandler):
    def answer(self, with_body):
        auth = self.headers.get("Authorization", "")
        ok = auth == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        sys.stderr.write(f"{self.command} {self.path} auth={'ok' if ok else ('bad' if auth else 'none')}\n")
        sys.stderr.flush()
        if not ok:
            body, status, headers = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', 401, {"WWW-Authenticate": 'Basic realm="test"'}
        elif self.path == "/v2/":
            body, status, headers = b"{}", 200, {}
        elif self.path == "/v2/test/img/manifests/latest":
            body, status, headers = MANIFEST, 200, {"Content-Type": "application/vnd.docker.distribution.manifest.v2+json",
                                                   "Docker-Content-Digest": "sha256:" + hashlib.sha256(MANIFEST).hexdigest()}
        else:
            body, status, headers = b'{"errors":[{"code":"NAME_UNKNOWN","message":"no"}]}', 404, {}
        self.send_response(status)
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        for k, v in headers.items(): self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body: self.wfile.write(body)
    def do_GET(self): self.answer(True)
    def do_HEAD(self): self.answer(False)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
