package org.spack.gantry;

/**
 * Sets up SLF4J's simple logger: one line per event on stderr, for journald. It reads
 * these properties once, so this runs before the first logger is made.
 */
final class Logging {
    private Logging() {}

    static void configure(String level) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "false");
        // the libraries' own chatter only when something is wrong
        String libraries = "debug".equals(level) ? "info" : "warn";
        System.setProperty("org.slf4j.simpleLogger.log.org.flywaydb", libraries);
        System.setProperty("org.slf4j.simpleLogger.log.io.undertow", libraries);
        System.setProperty("org.slf4j.simpleLogger.log.org.xnio", libraries);
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.hc", "warn");
        System.setProperty("org.jboss.logging.provider", "slf4j");
    }
}
