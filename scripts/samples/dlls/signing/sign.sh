#!/bin/sh
# Signs espy's evasion sample DLLs (Debian's openssl + osslsigncode) with the TEST keys in this
# folder and writes ../out/<name>.signed.dll. The keys and certificates are committed sample
# data, not secrets: anyone can sign with them, which is the point of the forged one.
#   xpstar-trojan.dll → forged-microsoft: a self-signed certificate whose subject reads
#                       O=Microsoft Corporation, CN=Microsoft Corporation (verifies as 'untrusted').
#   ctxaudit.dll      → contoso-leaf, issued by contoso-root (a test CA: 'valid' only with
#                       `--trust scripts/samples/dlls/signing/contoso-root.crt`).
# The signed DLLs are committed, so `npm run samples` needs no signing tools. RSA PKCS#1 v1.5
# signatures without a timestamp are deterministic: run twice and compare (`sh sign.sh --check`).
#   sh sign.sh --make-keys   makes new keys and certificates (then re-sign and re-generate).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="${OUT:-$HERE/../out}"
DAYS=10950

if [ "${1:-}" = "--make-keys" ]; then
  cd "$HERE"
  cat > codesign.cnf <<'CNF'
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ forged ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
CNF
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" -keyout forged-microsoft.key -out forged-microsoft.crt \
    -subj '/C=US/ST=Washington/L=Redmond/O=Microsoft Corporation/CN=Microsoft Corporation' -config codesign.cnf -extensions forged
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" -keyout contoso-root.key -out contoso-root.crt \
    -subj '/C=US/O=Contoso Ltd. (espy test CA)/CN=Contoso Code Signing Test Root' -config codesign.cnf -extensions ca
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout contoso-leaf.key -out contoso-leaf.csr -subj '/C=US/O=Contoso Ltd./CN=Contoso Ltd.'
  openssl x509 -req -in contoso-leaf.csr -CA contoso-root.crt -CAkey contoso-root.key -set_serial 0x5a17c0de -days "$DAYS" -sha256 \
    -extfile codesign.cnf -extensions leaf -out contoso-leaf.crt
  rm -f contoso-leaf.csr
  exit 0
fi

if [ "${1:-}" = "--check" ]; then
  A=$(mktemp -d); B=$(mktemp -d)
  OUT="$A" sh "$0"; OUT="$B" sh "$0"
  for f in xpstar-trojan ctxaudit; do
    cmp -s "$A/$f.signed.dll" "$B/$f.signed.dll" && cmp -s "$A/$f.signed.dll" "$HERE/../out/$f.signed.dll" || { echo "NOT deterministic or out/ is stale: $f ($A $B)" >&2; exit 1; }
  done
  echo "deterministic: two signings are byte-identical and match out/"; rm -rf "$A" "$B"; exit 0
fi

mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cat "$HERE/contoso-leaf.crt" "$HERE/contoso-root.crt" > "$WORK/contoso-chain.pem"
sign() { # sign <unsigned dll> <certs pem> <key> <description>
  rm -f "$OUT/$1.signed.dll"
  osslsigncode sign -h sha256 -certs "$2" -key "$3" -n "$4" -in "$HERE/../out/$1.dll" -out "$OUT/$1.signed.dll" >/dev/null
}
sign xpstar-trojan "$HERE/forged-microsoft.crt" "$HERE/forged-microsoft.key" 'SQL Server XP star'
sign ctxaudit "$WORK/contoso-chain.pem" "$HERE/contoso-leaf.key" 'Contoso SQL Audit'
ls -l "$OUT"/*.signed.dll
