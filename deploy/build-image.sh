#!/bin/sh
# Builds the trustledger container image from this repository without
# pulling anything: a static binary, the user, the CA bundle of this
# machine when it has one, and deploy/Containerfile (docs/OPERATIONS.md,
# "Container image").
#
#   deploy/build-image.sh                  # podman, tag localhost/trustledger:VERSION
#   ENGINE=docker TAG=trustledger:1.4 VERSION=1.4 deploy/build-image.sh
set -eu
cd "$(dirname "$0")/.."
engine=${ENGINE:-podman}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
tag=${TAG:-localhost/trustledger:$version}
ca=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT INT TERM
# -buildvcs=auto: stamp the commit and date (trustledger --version, /healthz)
# when built from a checkout, whatever GOFLAGS says.
CGO_ENABLED=0 go build -buildvcs=auto -trimpath -o "$ctx/trustledger" ./cmd/trustledger
cp deploy/container/passwd deploy/container/group "$ctx/"
mkdir "$ctx/data" "$ctx/certs"
if [ -f "$ca" ]; then
  cp "$ca" "$ctx/certs/ca-certificates.crt"
else
  echo "build-image.sh: no CA bundle at $ca: the image cannot check TLS certificates (set CA_BUNDLE)" >&2
fi
# Podman and Buildah write the OCI format unless told, which has no
# HEALTHCHECK, and keep an image for every step unless --layers=false;
# Docker always writes its own format. --no-cache: the layers are
# copies, and a cached LABEL layer kept an older VERSION (podman 4.3).
opts=
case "$engine" in podman*|buildah*) opts="--format docker --layers=false" ;; esac
# $engine and $opts unquoted: ENGINE may hold options, such as
# "podman --runtime runc".
$engine build $opts --no-cache -f deploy/Containerfile --build-arg VERSION="$version" -t "$tag" "$ctx"
echo "$tag"
