#!/usr/bin/env bash
# Create a private CA plus one mTLS certificate per cluster node for Akka.Remote (DotNetty TLS).
#
# Usage: NAS_TLS_PASSWORD=... cluster/make-certs.sh [OUT_DIR=./certs] [NODE_NAME ...=node]
#
# Output in OUT_DIR:
#   ca.key, ca.crt                   private CA (keep ca.key offline; ca.crt goes to every node)
#   <name>.key, <name>.crt, <name>.pfx   node key/cert (SAN: <name>, localhost, 127.0.0.1;
#                                        EKU serverAuth+clientAuth); .pfx protected by $NAS_TLS_PASSWORD
# An existing ca.key/ca.crt in OUT_DIR is reused, so nodes can be added later.
# A different OUT_DIR gives a different, unrelated CA (e.g. for testing that a rogue node is refused).
set -euo pipefail

: "${NAS_TLS_PASSWORD:?NAS_TLS_PASSWORD must be set (password for the .pfx files); refusing to use a default}"

out="${1:-./certs}"
shift || true
[ "$#" -gt 0 ] || set -- node
days="${NAS_TLS_DAYS:-825}"

mkdir -p "$out"
umask 077   # keys and pfx files readable by the owner only

# 1) The CA (created only once per OUT_DIR).
if [ ! -f "$out/ca.key" ]; then
  openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days 3650 -out "$out/ca.crt" \
    -subj "/CN=NAS cluster CA $(basename "$(cd "$out" && pwd)") $(date +%Y%m%d%H%M%S)" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
  chmod 644 "$out/ca.crt"
fi

# 2) One key + CSR + CA-signed cert + PKCS#12 bundle per node.
for name in "$@"; do
  openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$out/$name.key"
  openssl req -new -key "$out/$name.key" -subj "/CN=${name}" -out "$out/$name.csr"
  openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
    -CAcreateserial -sha256 -days "$days" -out "$out/$name.crt" -extfile <(printf '%s\n' \
      "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth,clientAuth" \
      "subjectAltName=DNS:${name},DNS:localhost,IP:127.0.0.1")
  # Password is read from the environment, never from the command line.
  openssl pkcs12 -export -inkey "$out/$name.key" -in "$out/$name.crt" \
    -name "$name" -out "$out/$name.pfx" -passout env:NAS_TLS_PASSWORD
  rm -f "$out/$name.csr"
  chmod 644 "$out/$name.crt"
  echo "created $out/$name.pfx ($(openssl x509 -in "$out/$name.crt" -noout -fingerprint -sha1))"
done
