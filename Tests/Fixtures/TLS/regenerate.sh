#!/usr/bin/env bash
# Regenerates the TLS test fixtures: a test-only CA, two server certificates it signs for 127.0.0.1, ::1 and
# localhost (server.pem, then renewed.pem for the reload tests; each file is the leaf followed by the CA, a chain),
# their keys, and a key that matches neither. EC P-256, valid 100 years. Test use only: the keys are public.
#   bash Tests/Fixtures/TLS/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")"
days=36500
openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -x509 -new -key ca.key -sha256 -days "$days" -subj "/CN=lstm-serve test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
for name in server renewed; do
    openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$name.key"
    openssl req -new -key "$name.key" -subj "/CN=lstm-serve test $name" -out "$name.csr"
    printf '%s\n' "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" > "$name.ext"
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days "$days" \
        -extfile "$name.ext" -out "$name.leaf.pem"
    cat "$name.leaf.pem" ca.pem > "$name.pem"
    rm "$name.csr" "$name.ext" "$name.leaf.pem"
done
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out other.key
rm -f ca.srl ca.key  # nothing else is ever signed with it
