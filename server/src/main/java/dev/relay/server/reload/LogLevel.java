package dev.relay.server.reload;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** log_level: the root logger's level, set at startup by the command line and again by a reload. */
public final class LogLevel {
    private LogLevel() {
    }

    /** @param level error, warn, info, debug or trace (the configuration has checked it) */
    public static void apply(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging) {
            logging.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
        }
    }
}
