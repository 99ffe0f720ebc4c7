package dev.relay.server.cli;

import dev.relay.server.WebSocketService;
import dev.relay.server.config.ConfigException;
import org.slf4j.Logger;
import sun.misc.Signal;

/**
 * SIGHUP reloads the configuration, as systemd's {@code ExecReload=kill -HUP $MAINPID} and most daemons expect
 * (without a handler the JVM would exit on it). The outcome, or why nothing changed, is logged by the reload.
 */
final class ReloadSignal {
    private ReloadSignal() {
    }

    static void install(WebSocketService service, Logger log) {
        try {
            // The handler runs on the JVM's signal thread: hand the file reading to a thread of its own.
            Signal.handle(new Signal("HUP"), signal -> Thread.ofVirtual().name("relay-reload").start(() -> {
                try {
                    service.reloadConfiguration();
                } catch (ConfigException refused) {
                    // logged as config_reload_refused; the server carries on with what it had
                } catch (RuntimeException e) {
                    log.error("event=config_reload_failed", e);
                }
            }));
        } catch (IllegalArgumentException unsupported) {
            log.info("event=config_warning detail=\"SIGHUP is not available here; reload with POST /ws/admin/reload\"");
        }
    }
}
