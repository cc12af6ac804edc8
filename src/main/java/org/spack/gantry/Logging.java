package org.spack.gantry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.LoggerFactory;

/**
 * Logback set up in code, on stderr for journald: found by Logback's ServiceLoader at its
 * start (text at INFO, before the configuration is read), then set from LOG_LEVEL,
 * LOG_FORMAT and GANTRY_ACCESS_LOG by {@link #configure}. JSON lines come from Logback's
 * own {@link JsonEncoder}: one object a line, with timestamp, level, logger, message and
 * the event's key/value pairs (route, job).
 */
public final class Logging extends ContextAwareBase implements Configurator {
    /** Where the HTTP access log goes (GANTRY_ACCESS_LOG=true); off otherwise. */
    public static final String ACCESS_LOGGER = "gantry.access";
    /** The event's key/value pairs (an access line's route) follow the message after a space; no space when there are none. */
    private static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %level %logger{0} - %msg%replace( %kvp{NONE}){'^ $', ''}%n";

    public Logging() {}

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        apply(context, "info", "text", false);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    static void configure(String level, String format, boolean accessLog) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            apply(context, level, format, accessLog);
        }
    }

    private static void apply(LoggerContext context, String level, String format, boolean accessLog) {
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        Encoder<ILoggingEvent> encoder;
        if ("json".equals(format)) {
            JsonEncoder json = new JsonEncoder();
            // what a log shipper needs; the sequence number, nanoseconds, thread and context are noise here
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithThreadName(false);
            json.setWithContext(false);
            json.setWithArguments(false);
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            encoder = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(TEXT_PATTERN);
            encoder = text;
        }
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("stderr");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        root.addAppender(stderr);
        root.setLevel(Level.toLevel(level, Level.INFO));
        // the libraries' own chatter only when something is wrong
        Level libraries = "debug".equals(level) ? Level.INFO : Level.WARN;
        for (String name : new String[] {"org.flywaydb", "io.undertow", "org.xnio", "org.jboss"}) {
            context.getLogger(name).setLevel(libraries);
        }
        context.getLogger("org.apache.hc").setLevel(Level.WARN);
        context.getLogger(ACCESS_LOGGER).setLevel(accessLog ? Level.INFO : Level.OFF);
        System.setProperty("org.jboss.logging.provider", "slf4j");
    }
}
