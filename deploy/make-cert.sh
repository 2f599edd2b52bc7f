#!/bin/sh
# A self-signed certificate for a closed network or a trial, in deploy/certs/, for nginx or for
# Caddy with WALLBOARD_TLS="/certs/fullchain.pem /certs/privkey.pem". Caddy's `tls internal`
# (the compose default) needs none of this.
# Usage: deploy/make-cert.sh wallboard.example.com [output-folder, default deploy/certs]
set -eu
name="${1:-localhost}"
dir="${2:-$(dirname "$0")/certs}"
mkdir -p "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$name" \
    -addext "subjectAltName=DNS:$name" \
    -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem" 2>/dev/null
chmod 644 "$dir/fullchain.pem"
# Readable by the proxy's user in its container; keep the folder itself private on the host.
chmod 644 "$dir/privkey.pem"
chmod 700 "$dir" 2>/dev/null || true
echo "wrote $dir/fullchain.pem and $dir/privkey.pem for $name"
