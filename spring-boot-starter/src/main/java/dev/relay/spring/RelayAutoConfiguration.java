package dev.relay.spring;

import dev.relay.server.WebSocketService;
import dev.relay.server.config.ConfigException;
import dev.relay.server.config.ConfigLoader;
import dev.relay.server.config.RelayConfig;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;


/**
 * Relay as part of a Spring Boot application. The {@link WebSocketService} is built from the application's
 * {@code relay.*} properties (see {@link SpringSettings}) over an optional Relay YAML file ({@code relay.config-file})
 * and the {@code WS_*} environment variables, started when the context is refreshed and closed with it. It serves
 * on a port of its own ({@code relay.port}, which must not be {@code server.port}); the application can publish
 * through the bean, listen to its events and embed it elsewhere. {@code relay.enabled: false} turns it all off.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = SpringSettings.ENABLED, matchIfMissing = true)
public class RelayAutoConfiguration {

    /** Relay's configuration, checked by Relay's own loader: a bad key or value stops the application's start. */
    @Bean
    @ConditionalOnMissingBean
    public RelayConfig relayConfig(ConfigurableEnvironment environment) {
        return ConfigLoader.load(SpringSettings.configFile(environment).orElse(null), System.getenv(),
                SpringSettings.overrides(environment));
    }

    /**
     * In a web application Relay's port must differ from the application's, or one of them fails to bind with a
     * bare "address in use"; this says which setting to change before either binds.
     */
    @Bean
    @ConditionalOnWebApplication
    public PortCheck relayPortCheck(RelayConfig relayConfig, ConfigurableEnvironment environment) {
        int serverPort = environment.getProperty("server.port", Integer.class, 8080);
        if (relayConfig.server().port() != 0 && relayConfig.server().port() == serverPort) {
            throw new ConfigException("relay.port: " + serverPort + " is the application's server.port too; Relay"
                    + " serves a port of its own in a Spring Boot application, so give it another (e.g. relay.port:"
                    + " 8081, or 0 for any free port)");
        }
        return new PortCheck(relayConfig.server().port(), serverPort);
    }

    /** The two ports, once found apart. */
    public record PortCheck(int relayPort, int serverPort) {
    }

    /** Started and stopped by {@link #relayLifecycle}, not by the bean's own destroy (Spring would call close()). */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public WebSocketService relayWebSocketService(RelayConfig relayConfig) {
        return WebSocketService.create(relayConfig);
    }

    @Bean
    public RelayLifecycle relayLifecycle(WebSocketService relayWebSocketService) {
        return new RelayLifecycle(relayWebSocketService);
    }

    /**
     * Relay's {@code relay.*} meters in the application's registry; Spring Boot's metrics support binds every
     * {@link MeterBinder} bean to it. Relay's own {@code /metrics} keeps them too.
     */
    @Bean
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    public MeterBinder relayMeterBinder(WebSocketService relayWebSocketService) {
        return relayWebSocketService.observability().meterBinder();
    }

    /**
     * Only where the application has Spring Boot's health support (spring-boot-starter-actuator). A member class is
     * judged on its own conditions, so it repeats the switch.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = SpringSettings.ENABLED, matchIfMissing = true)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "relayHealthIndicator")
        org.springframework.boot.health.contributor.HealthIndicator relayHealthIndicator(
                WebSocketService relayWebSocketService) {
            return new RelayHealthIndicator(relayWebSocketService);
        }
    }
}
