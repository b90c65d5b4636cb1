#!/usr/bin/env bash
# Fails unless every ELF file given needs no glibc symbol newer than FLOOR
# (the versions of the symbols it imports); prints the newest for each file.
#   bash scripts/glibc-floor.sh FLOOR FILE...
set -euo pipefail
floor=${1:?usage: glibc-floor.sh FLOOR FILE...}
shift
[ $# -gt 0 ] || { echo "usage: glibc-floor.sh FLOOR FILE..." >&2; exit 2; }
for file in "$@"; do
    # Undefined (imported) dynamic symbols carry the version they need.
    newest=$(readelf --dyn-syms --wide "$file" | awk '$7 == "UND"' | grep -o 'GLIBC_[0-9.]*' |
        sed 's/GLIBC_//' | sort -uV | tail -n 1)
    if [ "$(printf '%s\n%s\n' "$newest" "$floor" | sort -V | tail -n 1)" != "$floor" ]; then
        echo "$file needs glibc $newest, newer than $floor" >&2
        exit 1
    fi
    echo "$(basename "$file"): needs glibc ${newest:-(none)} (floor $floor)"
done
