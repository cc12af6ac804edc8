package org.spack.gantry.config;

/**
 * Where a command gets its settings: loaded when the command runs (not when the command
 * line is parsed, so that {@code --help} needs none), with logging set up from them.
 */
@FunctionalInterface
public interface ConfigSource {
    Config load();

    /**
     * A source that loads once: the environment file is read and logging set up a single
     * time however often it is asked, and a configuration error is the same error each time.
     */
    static ConfigSource once(ConfigSource source) {
        return new ConfigSource() {
            private Config config;
            private RuntimeException failure;

            @Override
            public synchronized Config load() {
                if (config == null && failure == null) {
                    try {
                        config = source.load();
                    } catch (RuntimeException e) {
                        failure = e;
                    }
                }
                if (failure != null) throw failure;
                return config;
            }
        };
    }
}
