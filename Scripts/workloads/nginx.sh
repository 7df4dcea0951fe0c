#!/usr/bin/env bash
# nginx workloads on localhost/callguard/nginx:bookworm (Debian 12, nginx-light),
# its own command (`nginx -g 'daemon off;'`, Debian's default site on port 80).
#
#   Scripts/workloads/nginx.sh primary   static pages (HTML, text, 1 MiB file), a 404,
#                                        `nginx -s reload` (podman exec), a restart
#   Scripts/workloads/nginx.sh broad     the primary one, plus TLS on 443 (self-signed
#                                        certificate made on the host with openssl),
#                                        gzip, a TLS reload, a range request
WL_IMAGE_NAME=nginx
. "$(dirname "$0")/common.sh"

pages() {
  mkdir -p "$WL_WORK/www/sub"
  echo "<h1>callguard nginx</h1>" > "$WL_WORK/www/index.html"
  echo "<p>a</p>" > "$WL_WORK/www/a.html"
  echo "plain text" > "$WL_WORK/www/sub/b.txt"
  head -c 1048576 /dev/zero | tr '\0' 'x' > "$WL_WORK/www/big.txt"
  chmod -R a+rX "$WL_WORK/www"
}

requests() {
  local scheme=${1:-http} port=${2:-80}; shift 2 || true
  local base="$scheme://127.0.0.1:$port"
  for _ in 1 2 3; do
    wl_expect "GET / ($scheme)" "<h1>callguard nginx</h1>" "$(wl_http_body "$base/" -k)"
    wl_expect "GET /a.html ($scheme)" "<p>a</p>" "$(wl_http_body "$base/a.html" -k)"
    wl_expect "GET /sub/b.txt ($scheme)" "plain text" "$(wl_http_body "$base/sub/b.txt" -k)"
    wl_expect "GET /big.txt ($scheme, 1 MiB)" "1048576" "$(wl_http_body "$base/big.txt" -k | wc -c)"
    wl_expect "GET /missing ($scheme) is 404" "404" "$(wl_http_status "$base/missing" -k)"
  done
}

primary() {
  pages
  wl_start -v "$WL_WORK/www:/var/www/html:ro"
  wl_wait_port 80
  requests http 80
  podman exec "$WL_NAME" nginx -s reload
  sleep 1
  wl_log "reloaded"
  requests http 80
  wl_restart
  wl_wait_port 80
  requests http 80
  wl_stop
}

broad() {
  pages
  mkdir -p "$WL_WORK/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$WL_WORK/tls/key.pem" -out "$WL_WORK/tls/cert.pem" 2>/dev/null
  chmod 644 "$WL_WORK/tls/"*.pem
  cat > "$WL_WORK/tls.conf" <<'CONF'
server {
    listen 443 ssl;
    ssl_certificate /etc/nginx/tls/cert.pem;
    ssl_certificate_key /etc/nginx/tls/key.pem;
    ssl_session_cache shared:SSL:1m;
    gzip on;
    gzip_types text/plain;
    root /var/www/html;
}
CONF
  wl_start -v "$WL_WORK/www:/var/www/html:ro" -v "$WL_WORK/tls:/etc/nginx/tls:ro" \
    -v "$WL_WORK/tls.conf:/etc/nginx/conf.d/tls.conf:ro"
  wl_wait_port 80
  wl_wait_port 443
  requests http 80
  requests https 443
  wl_expect "gzip over TLS" "gzip" "$(wl_net curl -sk -H 'Accept-Encoding: gzip' -o /dev/null -w '%header{content-encoding}' https://127.0.0.1/big.txt)"
  wl_expect "range over TLS" "206" "$(wl_http_status https://127.0.0.1/big.txt -k -r 0-99)"
  podman exec "$WL_NAME" nginx -s reload
  sleep 1
  wl_log "reloaded"
  requests https 443
  wl_restart
  wl_wait_port 443
  requests https 443
  requests http 80
  wl_stop
}

wl_main "$@"
