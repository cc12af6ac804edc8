package org.spack.gantry.config;

/**
 * Where a command gets its settings: loaded when the command runs (not when the command
 * line is parsed, so that {@code --help} needs none), with logging set up from them.
 */
@FunctionalInterface
public interface ConfigSource {
    Config load();
}
