package dev.relay.server.webhook;

import dev.relay.server.config.WebhookConfig;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.util.function.Supplier;

/** One POST of one delivery to one webhook, signed; blocks its (virtual) thread until the answer or the timeout. */
final class WebhookSender {
    static final String SIGNATURE = "X-Relay-Signature";
    static final String TIMESTAMP = "X-Relay-Timestamp";
    static final String DELIVERY = "X-Relay-Delivery";
    static final String PUSHER_KEY = "X-Pusher-Key";
    static final String PUSHER_SIGNATURE = "X-Pusher-Signature";

    /** What one try came to: an HTTP status, or none ({@code status} 0) and why. */
    record Attempt(int status, String error) {
        boolean delivered() {
            return status >= 200 && status < 300;
        }

        String describe() {
            return status > 0 ? "status " + status : error;
        }
    }

    private final Supplier<HttpClient> client;
    private final Clock clock;

    /** @param client the shared client, built on first use */
    WebhookSender(Supplier<HttpClient> client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    Attempt post(WebhookConfig hook, String deliveryId, byte[] body) {
        String signature = Signatures.hmacHex(hook.secret(), body);
        HttpRequest.Builder request = HttpRequest.newBuilder(hook.url())
                .timeout(hook.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "Relay-Webhooks")
                .header(SIGNATURE, "sha256=" + signature)
                .header(TIMESTAMP, Long.toString(clock.instant().getEpochSecond()))
                .header(DELIVERY, deliveryId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (hook.pusherCompatible()) {
            request.header(PUSHER_KEY, hook.pusherKey().orElseThrow());
            request.header(PUSHER_SIGNATURE, signature);
        }
        try {
            HttpResponse<Void> response = client.get().send(request.build(),
                    HttpResponse.BodyHandlers.discarding());
            return new Attempt(response.statusCode(), null);
        } catch (HttpTimeoutException e) {
            return new Attempt(0, "timeout after " + hook.timeout().toMillis() + " ms");
        } catch (IOException e) {
            return new Attempt(0, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(0, "interrupted: the server is stopping");
        } catch (IllegalStateException stopped) {
            return new Attempt(0, "the server is stopping");
        }
    }
}
