#!/bin/sh
# The tester container's entrypoint: installs a gantry.run the way a server does, then
# serves. In order: unpack the archive with -d into releases/<version> under a fresh root,
# write shared/environment.json from the environment, point current at the release,
# migrate, and exec `bin/gantry serve`.
#
#   GANTRY_TESTER_ARTIFACT  the archive (default /artifact/gantry.run)
#   GANTRY_TESTER_ROOT      an empty directory to install into (default: a new temporary one)
#   every Gantry setting (docs/operations.md "Settings": GANTRY_PORT, DB_FILE, GITLAB_URL, ...)
set -eu

artifact=${GANTRY_TESTER_ARTIFACT:-/artifact/gantry.run}
root=${GANTRY_TESTER_ROOT:-$(mktemp -d "${TMPDIR:-/tmp}/gantry.XXXXXX")}

die() {
  printf 'gantry-tester: %s\n' "$*" >&2
  exit 1
}

[ -r "$artifact" ] || die "no archive at $artifact: mount the directory holding gantry.run at /artifact (-v \$PWD/target:/artifact:ro)"

# sh, so a read-only mount without the executable bit does not matter
version=$(sh "$artifact" --version) || die "$artifact does not answer --version: is it a gantry.run?"
version=${version#gantry }
release=$root/releases/$version

mkdir -p "$root/releases" "$root/shared"
sh "$artifact" -d "$release"

# A JSON string: backslashes and double quotes escaped (an env file holds no newlines).
json_string() {
  printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

# Every Gantry setting that is set goes into environment.json. The settings are named by one
# convention (docs/operations.md "Settings"): DB_FILE and PROMETHEUS_*, GITLAB_*, GANTRY_*, LOG_*,
# so a new setting is passed on without a change here. Not: the tester's own GANTRY_TESTER_*,
# and GANTRY_ENV_FILE, which names a settings file and is passed on as it is (below).
# The file holds tokens, hence umask 077 (mode 0600).
: "${DB_FILE:=$root/shared/gantry.db}"
export DB_FILE
settings=$(env | grep -E '^(DB_FILE|(PROMETHEUS|GITLAB|GANTRY|LOG)_[A-Z0-9_]*)=' | cut -d= -f1 \
  | grep -v -e '^GANTRY_TESTER_' -e '^GANTRY_ENV_FILE$' | sort -u)
(
  umask 077
  exec >"$root/shared/environment.json"
  separator=''
  printf '{'
  for name in $settings; do
    # the names matched [A-Z0-9_] above, so eval only reads variables
    eval "is_set=\${$name+x} value=\${$name-}"
    # shellcheck disable=SC2154 # is_set and value are assigned by the eval
    if [ -n "$is_set" ]; then
      printf '%s\n  %s: %s' "$separator" "$(json_string "$name")" "$(json_string "$value")"
      separator=','
    fi
  done
  printf '\n}\n'
)
ln -s ../../shared/environment.json "$release/environment.json"
ln -s "releases/$version" "$root/current"

# From here on the service sees only environment.json, as under systemd: the container's
# environment is cleared but for what finds and tunes Java.
set -- env -i PATH="$PATH" HOME="${HOME:-/}"
[ -z "${JAVA_HOME:-}" ] || set -- "$@" "JAVA_HOME=$JAVA_HOME"
[ -z "${JAVA_OPTS:-}" ] || set -- "$@" "JAVA_OPTS=$JAVA_OPTS"
[ -z "${GANTRY_ENV_FILE:-}" ] || set -- "$@" "GANTRY_ENV_FILE=$GANTRY_ENV_FILE"
set -- "$@" "$root/current/bin/gantry"

cd "$root/shared"
echo "gantry-tester: gantry $version installed under $root"
"$@" migrate
exec "$@" serve
