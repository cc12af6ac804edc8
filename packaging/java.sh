# How both launchers find and start Java: gantry.run's header (launcher.sh) and a release's
# bin/gantry. Not a script of its own: the build puts this file into each of them where it
# names it (ScriptIncludes), so the two run the same code. Each defines die() and PROG, the
# name its messages start with.

JAVA_MIN=17
JAVA_PACKAGE=java-17-openjdk-headless
# The JVM's options, the only place they are written: a small heap suits the service (it
# holds the history index), and an OutOfMemoryError ends it so that systemd restarts it.
# JAVA_OPTS comes after them, so an option there adds to them and a later -Xmx wins.
JAVA_DEFAULTS="-Xmx192m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"
JAVA=

# Sets JAVA to a Java of at least JAVA_MIN, or stops with what was found and what is needed.
# Like Spring Boot's launch script: JAVA_HOME's java when it is executable, else java on PATH.
find_java() {
  if [ -n "${JAVA_HOME:-}" ]; then
    if [ -x "$JAVA_HOME/bin/java" ]; then
      JAVA=$JAVA_HOME/bin/java
    else
      printf '%s: warning: JAVA_HOME is %s but %s is not executable; using java from PATH\n' \
        "$PROG" "$JAVA_HOME" "$JAVA_HOME/bin/java" >&2
    fi
  fi
  if [ -z "$JAVA" ]; then
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

# Replaces the shell with Java (found first if need be): the defaults, then JAVA_OPTS (as
# Spring Boot's launch script), then the arguments. Split into words on purpose: several options.
exec_java() {
  [ -n "$JAVA" ] || find_java
  # shellcheck disable=SC2086
  exec "$JAVA" $JAVA_DEFAULTS ${JAVA_OPTS:-} "$@"
}
