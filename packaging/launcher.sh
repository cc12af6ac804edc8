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
JAVA_MIN=17
JAVA_PACKAGE=java-17-openjdk-headless

ARCHIVE=$0
case $ARCHIVE in
  /*) ;;
  *) ARCHIVE=$(pwd)/$ARCHIVE ;;
esac

die() {
  printf 'gantry.run: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<USAGE
Usage: gantry.run -d DIR | --check | --version | --info | --list | --help | COMMAND [ARGS...]

  -d, --destination DIR  verify the archive, then unpack a release into DIR
                         (DIR must not exist or be empty)
  --check                verify the archive's checksum; exit 0 or 1
  --version              print the version
  --info                 version, commit, build time, payload SHA-256, required Java
  --list                 the files a release holds
  -h, --help             this help
  COMMAND                run an application command from the archive, e.g. serve, migrate,
                         info (see: gantry.run help)
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
  actual_sha=$(sha256_of_payload)
  [ "$actual_sha" = "$PAYLOAD_SHA256" ] || damaged "checksum mismatch"
}

# Sets JAVA to a Java of at least JAVA_MIN, or stops with what was found and what is needed.
find_java() {
  if [ -n "${JAVA_HOME:-}" ]; then
    JAVA=$JAVA_HOME/bin/java
    [ -x "$JAVA" ] || die "JAVA_HOME is $JAVA_HOME but $JAVA is not executable; Gantry needs Java $JAVA_MIN or newer (install $JAVA_PACKAGE)"
  else
    JAVA=$(command -v java 2>/dev/null) || die "no java found on PATH; Gantry needs Java $JAVA_MIN or newer (install $JAVA_PACKAGE)"
  fi
  java_version=$("$JAVA" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
  case $java_version in
    1.*) java_major=$(echo "$java_version" | cut -d. -f2) ;;
    *) java_major=$(echo "$java_version" | sed 's/[^0-9].*//') ;;
  esac
  if [ -z "$java_major" ] || [ "$java_major" -lt "$JAVA_MIN" ]; then
    die "found Java ${java_version:-of unknown version} at $JAVA; Gantry needs Java $JAVA_MIN or newer (install $JAVA_PACKAGE)"
  fi
}

run_java() {
  find_java
  # JAVA_OPTS is split into words on purpose: it holds several options
  # shellcheck disable=SC2086
  exec "$JAVA" ${JAVA_OPTS:--Xmx192m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError} "$@"
}

[ $# -gt 0 ] || { usage >&2; exit 2; }

case $1 in
  -h|--help)
    usage
    ;;
  --version)
    echo "gantry $GANTRY_VERSION"
    ;;
  --info)
    echo "version:       $GANTRY_VERSION"
    echo "commit:        ${GANTRY_COMMIT:-unknown}"
    echo "built at:      $GANTRY_BUILT_AT"
    echo "payload:       $PAYLOAD_SIZE bytes at offset $PAYLOAD_OFFSET"
    echo "sha256:        $PAYLOAD_SHA256"
    echo "requires:      Java $JAVA_MIN or newer ($JAVA_PACKAGE)"
    ;;
  --check)
    verify
    echo "$ARCHIVE: OK (gantry $GANTRY_VERSION, sha256 $PAYLOAD_SHA256)"
    ;;
  --list)
    verify
    run_java -cp "$ARCHIVE" org.spack.gantry.release.ReleaseTool list "$ARCHIVE"
    ;;
  -d|--destination)
    [ $# -eq 2 ] || { printf 'gantry.run: %s needs exactly one directory\n' "$1" >&2; usage >&2; exit 2; }
    verify
    run_java -cp "$ARCHIVE" org.spack.gantry.release.ReleaseTool unpack "$ARCHIVE" "$2" \
      "$PAYLOAD_OFFSET" "$PAYLOAD_SIZE" "$PAYLOAD_SHA256" "$GANTRY_VERSION" "$GANTRY_COMMIT" "$GANTRY_BUILT_AT"
    ;;
  -*)
    printf 'gantry.run: unknown option %s\n' "$1" >&2
    usage >&2
    exit 2
    ;;
  *)
    run_java -jar "$ARCHIVE" "$@"
    ;;
esac
exit 0
