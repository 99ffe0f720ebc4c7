package dev.relay.spring;

import dev.relay.server.WebSocketService;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.net.URL;
import java.security.CodeSource;
import java.util.List;
import java.util.Map;

/**
 * Keeps the application's logging the application's. relay-server's jar carries a {@code logback.xml} for Relay's
 * own command line; Spring Boot looks for that name on the classpath before its own configuration and would apply
 * Relay's (its file appender, its format) to the whole application. When the application names no
 * {@code logging.config} and the first {@code logback.xml} found is Relay's, this points {@code logging.config} at
 * the application's {@code logback-spring.xml} if it has one, else at Boot's own console default. It runs before
 * Boot's logging starts; an application's own {@code logback.xml} or {@code logback-test.xml} is left to Boot.
 */
final class RelayLoggingDefaults implements EnvironmentPostProcessor, Ordered {
    static final String LOGGING_CONFIG = "logging.config";
    static final String BOOT_CONSOLE = "classpath:dev/relay/spring/logback-boot-console.xml";
    private static final List<String> APPLICATION_FILES_FIRST = List.of("logback-test.groovy", "logback-test.xml",
            "logback.groovy");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        ClassLoader loader = application.getClassLoader();
        if (environment.containsProperty(LOGGING_CONFIG) || !relaysIsTheFirst(loader)) {
            return;
        }
        for (String name : APPLICATION_FILES_FIRST) {
            if (loader.getResource(name) != null) {
                return; // Boot takes these before any logback.xml
            }
        }
        String config = loader.getResource("logback-spring.xml") != null ? "classpath:logback-spring.xml"
                : BOOT_CONSOLE;
        environment.getPropertySources().addLast(new MapPropertySource("relayLoggingDefaults",
                Map.of(LOGGING_CONFIG, config)));
    }

    /** Whether the {@code logback.xml} Boot would find is the one in relay-server's jar (or classes directory). */
    static boolean relaysIsTheFirst(ClassLoader loader) {
        URL found = loader.getResource("logback.xml");
        CodeSource relay = WebSocketService.class.getProtectionDomain().getCodeSource();
        if (found == null || relay == null || relay.getLocation() == null) {
            return false;
        }
        String location = relay.getLocation().toString();
        String resource = found.toString();
        return resource.startsWith(location) || resource.startsWith("jar:" + location);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
