#!/bin/sh
# render-accounts.sh <template> <output>: writes the NATS accounts file with every
# `password: $NATS_PW_<SERVICE>` line given that variable's value, quoted. NATS would parse a bare
# variable as a config value, so a password starting with a digit would break the server; quoted,
# it is always a string. Passwords must be URL-safe (A-Z a-z 0-9 _ -): services put them in NATS_URL.
set -eu
template="$1"
output="$2"
cp "$template" "$output.tmp"
for name in $(env | sed -n 's/^\(NATS_PW_[A-Z0-9_]*\)=.*/\1/p'); do
  value="$(printenv "$name")"
  case "$value" in
    '' | *[!A-Za-z0-9_-]*)
      echo "render-accounts: $name must be 1 or more of A-Z a-z 0-9 _ -" >&2
      exit 1
      ;;
  esac
  sed -i "s/^\( *password: \)\$$name\$/\1\"$value\"/" "$output.tmp"
done
if grep -q 'password: \$' "$output.tmp"; then
  echo "render-accounts: no password for: $(sed -n 's/^ *password: \$//p' "$output.tmp" | tr '\n' ' ')" >&2
  exit 1
fi
mv "$output.tmp" "$output"
