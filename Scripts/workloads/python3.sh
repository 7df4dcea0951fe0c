#!/usr/bin/env bash
# python3 workloads on localhost/callguard/python3:bookworm (Debian 12, Python 3.11).
# Stopped with SIGINT (--stop-signal: as PID 1 Python ignores SIGTERM, it has no handler).
#
#   Scripts/workloads/python3.sh primary   the image's command, `python3 -m http.server 8000
#                                          --directory /srv/www`, serving a few files
#                                          (HTML, text, 256 KiB), a 404, a restart
#   Scripts/workloads/python3.sh broad     a small web app (http.server with a POST handler
#                                          that stores JSON in SQLite and a JSON GET),
#                                          plus http.server's directory listing of a
#                                          directory without index.html, and a restart
WL_IMAGE_NAME=python3
. "$(dirname "$0")/common.sh"

files() {
  mkdir -p "$WL_WORK/www/sub"
  echo "<h1>callguard python3</h1>" > "$WL_WORK/www/index.html"
  echo "plain text" > "$WL_WORK/www/sub/b.txt"
  echo "more text" > "$WL_WORK/www/sub/c.txt"
  head -c 262144 /dev/zero | tr '\0' 'y' > "$WL_WORK/www/big.txt"
  chmod -R a+rX "$WL_WORK/www"
}

requests() {
  local base=http://127.0.0.1:8000
  for _ in 1 2 3; do
    wl_expect "GET /" "<h1>callguard python3</h1>" "$(wl_http_body "$base/")"
    wl_expect "GET /sub/b.txt" "plain text" "$(wl_http_body "$base/sub/b.txt")"
    wl_expect "GET /big.txt (256 KiB)" "262144" "$(wl_http_body "$base/big.txt" | wc -c)"
    wl_expect "GET /missing is 404" "404" "$(wl_http_status "$base/missing")"
  done
}

primary() {
  files
  wl_start --stop-signal SIGINT -v "$WL_WORK/www:/srv/www:ro"
  wl_wait_port 8000
  requests
  wl_restart
  wl_wait_port 8000
  requests
  wl_stop
}

app() {
  mkdir -p "$WL_WORK/app"
  cat > "$WL_WORK/app/app.py" <<'PY'
import http.server, json, os, sqlite3, sys

DB = "/var/tmp/notes.db"
ROOT = "/srv/www"

class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=ROOT, **kwargs)

    def do_POST(self):
        if self.path != "/notes":
            self.send_error(404)
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with sqlite3.connect(DB) as db:
            db.execute("CREATE TABLE IF NOT EXISTS notes (text TEXT)")
            db.execute("INSERT INTO notes VALUES (?)", (body["text"],))
        self.send_response(201)
        self.end_headers()

    def do_GET(self):
        if self.path != "/notes":
            return super().do_GET()
        with sqlite3.connect(DB) as db:
            db.execute("CREATE TABLE IF NOT EXISTS notes (text TEXT)")
            rows = [r[0] for r in db.execute("SELECT text FROM notes ORDER BY rowid")]
        data = json.dumps(rows).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

http.server.ThreadingHTTPServer(("", 8000), Handler).serve_forever()
PY
  chmod -R a+rX "$WL_WORK/app"
}

broad() {
  files
  app
  wl_start --stop-signal SIGINT -v "$WL_WORK/www:/srv/www:ro" -v "$WL_WORK/app:/srv/app:ro" -- python3 /srv/app/app.py
  wl_wait_port 8000
  requests
  wl_expect "directory listing" "2" "$(wl_http_body http://127.0.0.1:8000/sub/ | grep -c 'href=\"[bc].txt\"')"
  for note in one two three; do
    wl_expect "POST /notes $note" "201" "$(wl_http_status http://127.0.0.1:8000/notes -X POST -H 'Content-Type: application/json' -d "{\"text\":\"$note\"}")"
  done
  wl_expect "POST elsewhere is 404" "404" "$(wl_http_status http://127.0.0.1:8000/other -X POST -d '{}')"
  wl_expect "GET /notes" '["one", "two", "three"]' "$(wl_http_body http://127.0.0.1:8000/notes)"
  wl_restart
  wl_wait_port 8000
  wl_expect "GET /notes after restart" '["one", "two", "three"]' "$(wl_http_body http://127.0.0.1:8000/notes)"
  requests
  wl_stop
}

wl_main "$@"
