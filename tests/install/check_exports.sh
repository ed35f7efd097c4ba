#!/usr/bin/env bash
# libgpen.so exports only the public API: every defined dynamic symbol is in namespace gpen and
# none is in gpen::detail (hidden visibility + cmake/gpen.map). libgpen_c.so exports only gpen_*.
# usage: check_exports.sh LIBGPEN.so LIBGPEN_C.so
set -uo pipefail
bad=$(nm -D --defined-only "$1" | c++filt | awk '{ $1 = ""; $2 = ""; sub(/^  /, ""); print }' |
      grep -v -E '^(_edata|_end|__bss_start|_init|_fini)$' | grep -v -E '(^|[ (])gpen::' ; \
      nm -D --defined-only "$1" | c++filt | grep -E 'gpen::detail')
count=$(nm -D --defined-only "$1" | wc -l)
if [ -n "$bad" ]; then
  echo "FAILED: $1 exports symbols outside the public API:"; echo "$bad" | head -20; exit 1
fi
bad_c=$(nm -D --defined-only "$2" | awk '{print $3}' | grep -v -E '^(gpen_|_edata$|_end$|__bss_start$|_init$|_fini$)')
if [ -n "$bad_c" ]; then
  echo "FAILED: $2 exports symbols other than gpen_*:"; echo "$bad_c" | head -20; exit 1
fi
echo "exports: $count symbols in $(basename "$1"), all public gpen API; $(basename "$2") only gpen_*"
