package dev.relay.server.webhook;

import java.util.List;

/**
 * Where a webhook's deliveries wait until they are delivered or given up: nowhere ({@link #NONE}, persistence off:
 * a restart loses them) or a file of this node ({@link FileSpool}). Called from the webhook's own threads only.
 */
interface Spool extends AutoCloseable {
    Spool NONE = new Spool() {
        @Override
        public List<Delivery> pending() {
            return List.of();
        }

        @Override
        public void keep(Delivery delivery) {
        }

        @Override
        public void forget(String id) {
        }

        @Override
        public void close() {
        }
    };

    /** What was kept and not forgotten before this node stopped, oldest first. */
    List<Delivery> pending();

    /** Keeps a delivery (again, with its new count of tries) until {@link #forget}. */
    void keep(Delivery delivery);

    /** Delivered or given up: not to be sent again after a restart. */
    void forget(String id);

    @Override
    void close();
}
