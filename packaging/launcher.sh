#!/bin/sh
# gantry.run: a self-extracting Gantry release. This script is followed by the
# application jar (the payload); the build wrote the payload's size and SHA-256 below.
#   ./gantry.run -d DIR     verify, then unpack a release into DIR
#   ./gantry.run --check    verify only
#   ./gantry.run COMMAND    run an application command straight from the archive
set -u

GANTRY_VERSION='@@VERSION@@'
GANTRY_COMMIT='@@COMMIT@@'
GANTRY_BUILT_AT='@@BUILT_AT@@'
PAYLOAD_SHA256='@@SHA256@@'
PAYLOAD_OFFSET=@@OFFSET@@
PAYLOAD_SIZE=@@SIZE@@
PROG=gantry.run

ARCHIVE=$0
case $ARCHIVE in
  /*) ;;
  *) ARCHIVE=$(pwd)/$ARCHIVE ;;
esac

die() {
  printf '%s: %s\n' "$PROG" "$*" >&2
  exit 1
}

usage() {
  cat <<USAGE
Usage: gantry.run -d DIR | --check | --version | --info | --list | --help | COMMAND [ARGS...]

  -d, --destination, --target DIR
                         verify the archive, then unpack a release into DIR
                         (DIR must not exist or be empty)
  --check                verify the archive's checksum; exit 0 or 1
  --version              print the version
  --info                 version, commit, build time, payload SHA-256, required Java
  --list                 the files a release holds
  -h, --help             this help
  COMMAND                verify the archive, then run an application command from it,
                         e.g. serve, migrate, info (see: gantry.run help)

  JAVA_OPTS              added after the defaults ($JAVA_DEFAULTS)
USAGE
}

damaged() {
  die "the archive $ARCHIVE is damaged ($1); download it again"
}

sha256_of_payload() {
  if command -v sha256sum >/dev/null 2>&1; then
    tail -c +"$((PAYLOAD_OFFSET + 1))" "$ARCHIVE" | sha256sum | cut -d' ' -f1
  elif command -v openssl >/dev/null 2>&1; then
    tail -c +"$((PAYLOAD_OFFSET + 1))" "$ARCHIVE" | openssl dgst -sha256 -r | cut -d' ' -f1
  else
    die "neither sha256sum nor openssl is installed: cannot verify the archive"
  fi
}

verify() {
  [ -r "$ARCHIVE" ] || die "cannot read $ARCHIVE"
  actual_size=$(wc -c <"$ARCHIVE" | tr -d ' ')
  expected_size=$((PAYLOAD_OFFSET + PAYLOAD_SIZE))
  if [ "$actual_size" -lt "$expected_size" ]; then
    damaged "truncated: $actual_size of $expected_size bytes"
  fi
  if [ "$actual_size" -gt "$expected_size" ]; then
    damaged "$((actual_size - expected_size)) unexpected bytes at the end"
  fi
  # checked here: a die inside $(...) would only leave the subshell
  command -v sha256sum >/dev/null 2>&1 || command -v openssl >/dev/null 2>&1 \
    || die "neither sha256sum nor openssl is installed: cannot verify the archive"
  actual_sha=$(sha256_of_payload)
  [ "$actual_sha" = "$PAYLOAD_SHA256" ] || damaged "checksum mismatch"
}

# JAVA_MIN, JAVA_PACKAGE, JAVA_DEFAULTS, find_java and exec_java: packaging/java.sh
# @@INCLUDE java.sh@@

usage_error() {
  printf '%s: %s\n' "$PROG" "$*" >&2
  usage >&2
  exit 2
}

# the options that take no argument refuse one, so a typo is not taken for success
no_more_arguments() {
  [ $# -le 1 ] || usage_error "$1 takes no argument (got: $2)"
}

[ $# -gt 0 ] || { usage >&2; exit 2; }

case $1 in
  -h|--help)
    no_more_arguments "$@"
    usage
    ;;
  --version)
    no_more_arguments "$@"
    echo "gantry $GANTRY_VERSION"
    ;;
  --info)
    no_more_arguments "$@"
    echo "version:       $GANTRY_VERSION"
    echo "commit:        ${GANTRY_COMMIT:-unknown}"
    echo "built at:      $GANTRY_BUILT_AT"
    echo "payload:       $PAYLOAD_SIZE bytes at offset $PAYLOAD_OFFSET"
    echo "sha256:        $PAYLOAD_SHA256"
    echo "requires:      Java $JAVA_MIN or newer ($JAVA_PACKAGE)"
    echo "java options:  $JAVA_DEFAULTS, then JAVA_OPTS"
    ;;
  --check)
    no_more_arguments "$@"
    verify
    echo "$ARCHIVE: OK (gantry $GANTRY_VERSION, sha256 $PAYLOAD_SHA256)"
    ;;
  --list)
    no_more_arguments "$@"
    verify
    exec_java -cp "$ARCHIVE" org.spack.gantry.release.ReleaseTool list "$ARCHIVE"
    ;;
  -d|--destination|--target)
    [ $# -eq 2 ] || usage_error "$1 needs exactly one directory"
    verify
    exec_java -cp "$ARCHIVE" org.spack.gantry.release.ReleaseTool unpack "$ARCHIVE" "$2" \
      "$PAYLOAD_OFFSET" "$PAYLOAD_SIZE" "$PAYLOAD_SHA256" "$GANTRY_VERSION" "$GANTRY_COMMIT" "$GANTRY_BUILT_AT"
    ;;
  -*)
    usage_error "unknown option $1"
    ;;
  *)
    # a command runs the payload too: never an altered one (Java first: a missing Java is
    # named as such, not as a checksum tool that is missing too)
    find_java
    verify
    exec_java -jar "$ARCHIVE" "$@"
    ;;
esac
exit 0
