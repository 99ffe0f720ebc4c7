package dev.relay.spring;

import dev.relay.server.WebSocketService;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the {@link WebSocketService} with the application context: started once the context is refreshed, stopped
 * (clients told to reconnect, closed with 1001, given up to shutdown_timeout) when it closes. A service is not
 * restartable, so a stopped context does not start it again; one that never started is still closed on destroy, so
 * its threads and files do not outlive a context that failed to start.
 */
final class RelayLifecycle implements SmartLifecycle, DisposableBean {
    private final WebSocketService service;
    private volatile boolean running;
    private volatile boolean closed;

    RelayLifecycle(WebSocketService service) {
        this.service = service;
    }

    @Override
    public synchronized void start() {
        if (running || closed) {
            return;
        }
        try {
            service.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while Relay was starting", e);
        }
        running = true;
    }

    @Override
    public synchronized void stop() {
        close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void destroy() {
        close();
    }

    private synchronized void close() {
        if (!closed) {
            closed = true;
            running = false;
            service.close();
        }
    }
}
