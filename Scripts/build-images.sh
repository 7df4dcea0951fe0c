#!/usr/bin/env bash
# Builds container images from Debian's own packages with mmdebstrap (no
# registry): one Debian 12 (bookworm) rootfs per image, with the image's
# packages, then imports it into podman and/or docker.
#
#   Scripts/build-images.sh [--podman] [--docker [--docker-host unix:///SOCK]] [--cache DIR] [IMAGE...]
#
# IMAGE is one of: nginx redis postgresql python3 (default: all four).
# Images are named localhost/callguard/IMAGE:bookworm and also tagged with the
# first 12 hex digits of their cache key (localhost/callguard/IMAGE:KEY).
#
# Cache: each rootfs tarball is kept as CACHE/IMAGE-KEY.tar, where KEY is the
# sha256 of this script, the image's package list and the apt sources file; a
# tarball already there is reused (no network). Beside it, IMAGE-KEY.packages
# lists every package version in the image (the mirror is not a snapshot, so
# the versions are recorded, not implied by the key). Default CACHE:
# ${XDG_CACHE_HOME:-$HOME/.cache}/callguard/images.
#
# Without --podman or --docker the tarballs are only built. Prints one line per
# image: name, tarball, seconds spent building (0 when cached).
#
# Needs root, mmdebstrap (apt-get install mmdebstrap) and the Debian mirror
# named in SOURCES (default /etc/apt/sources.list.d/debian.sources).
set -euo pipefail
cd "$(dirname "$0")/.."

SCRIPT="$(pwd)/Scripts/build-images.sh"
SOURCES=${SOURCES:-/etc/apt/sources.list.d/debian.sources}
SUITE=bookworm
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/callguard/images
PODMAN=0
DOCKER=0
DOCKER_HOST_ARG=()
IMAGES=()

usage() { sed -n '2,24p' "$SCRIPT" | sed 's/^# \{0,1\}//'; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --podman) PODMAN=1 ;;
    --docker) DOCKER=1 ;;
    --docker-host) shift; DOCKER_HOST_ARG=(-H "$1") ;;
    --cache) shift; CACHE=$1 ;;
    -h|--help) usage ;;
    nginx|redis|postgresql|python3) IMAGES+=("$1") ;;
    *) echo "build-images: unknown argument '$1' (images: nginx redis postgresql python3)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#IMAGES[@]} -gt 0 ] || IMAGES=(nginx redis postgresql python3)

[ "$(id -u)" = 0 ] || { echo "build-images: must run as root (mmdebstrap in root mode)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || { echo "build-images: mmdebstrap missing (apt-get install mmdebstrap)" >&2; exit 2; }
[ -r "$SOURCES" ] || { echo "build-images: cannot read apt sources $SOURCES (set SOURCES=FILE)" >&2; exit 2; }

# The Debian packages of each image, and the command it runs by default (JSON, for `import --change CMD`).
packages() {
  case "$1" in
    nginx) echo "nginx-light" ;;
    redis) echo "redis-server" ;;
    postgresql) echo "postgresql" ;;
    python3) echo "python3" ;;
  esac
}
command_of() {
  case "$1" in
    nginx) echo '["nginx","-g","daemon off;"]' ;;
    redis) echo '["redis-server","--protected-mode","no"]' ;;
    postgresql) echo '["/bin/sh","-c","install -d -o postgres -g postgres /run/postgresql && exec su postgres -s /bin/sh -c \"exec /usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main -c config_file=/etc/postgresql/15/main/postgresql.conf\""]' ;;
    python3) echo '["python3","-m","http.server","8000","--directory","/srv/www"]' ;;
  esac
}

mkdir -p "$CACHE"
for image in "${IMAGES[@]}"; do
  pkgs=$(packages "$image")
  key=$( { sha256sum "$SCRIPT" "$SOURCES" | cut -d' ' -f1; echo "$SUITE $image $pkgs"; } | sha256sum | cut -c1-64)
  short=${key:0:12}
  tar="$CACHE/$image-$key.tar"
  started=$(date +%s)
  if [ ! -s "$tar" ]; then
    partial="$CACHE/$image-$key.partial.tar"
    rm -f "$partial"
    # Documentation, manuals and locales are left out (smaller images, same binaries).
    mmdebstrap --quiet --variant=apt --include="$(echo "$pkgs" | tr ' ' ',')" \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      --customize-hook='mkdir -p "$1/srv/www" && echo callguard > "$1/srv/www/index.html"' \
      --customize-hook="chroot \"\$1\" dpkg-query -W -f='\${Package}\t\${Version}\n' > '$CACHE/$image-$key.packages'" \
      "$SUITE" "$partial" "$SOURCES"
    mv "$partial" "$tar"
  fi
  seconds=$(( $(date +%s) - started ))
  cmd=$(command_of "$image")
  name="localhost/callguard/$image"
  if [ "$PODMAN" = 1 ]; then
    podman import --quiet --change "CMD $cmd" "$tar" "$name:bookworm" >/dev/null
    podman tag "$name:bookworm" "$name:$short"
  fi
  if [ "$DOCKER" = 1 ]; then
    docker "${DOCKER_HOST_ARG[@]}" import --change "CMD $cmd" "$tar" "$name:bookworm" >/dev/null
    docker "${DOCKER_HOST_ARG[@]}" tag "$name:bookworm" "$name:$short"
  fi
  echo "$image $tar ${seconds}s"
done
