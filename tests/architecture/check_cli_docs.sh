#!/usr/bin/env bash
# docs/cli.md documents every flag that `gpen-restore --help` (generated from the parameter
# table) lists. usage: check_cli_docs.sh GPEN_RESTORE DOCS_CLI_MD
set -uo pipefail
missing=0
for flag in $("$1" --help | grep -o -E '^  (-o, )?--[a-z-]+' | sed 's/^  //; s/^-o, //'); do
  if ! grep -q -E -- "(\`|, )$flag( |\`)" "$2"; then
    echo "FAILED: $flag is in --help but not in $(basename "$2")"
    missing=$((missing + 1))
  fi
done
echo "cli docs: every --help flag documented ($missing missing)"
exit $((missing > 0))
