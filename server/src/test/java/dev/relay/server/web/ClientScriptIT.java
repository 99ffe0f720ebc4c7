package dev.relay.server.web;

import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The JavaScript client and its types are served without a token, as a module browsers will load. */
class ClientScriptIT {
    @Test
    void clientModuleAndTypesAreServed() {
        try (TestServer server = TestServer.start()) {
            Http.Response script = server.http().get("/ws/client.js", null);
            assertThat(script.status()).isEqualTo(200);
            // Browsers refuse a module script served with a non-JavaScript type.
            assertThat(script.raw().headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
            assertThat(script.raw().body()).contains("export class RelayClient");

            Http.Response types = server.http().get("/ws/client.d.ts", null);
            assertThat(types.status()).isEqualTo(200);
            assertThat(types.raw().body()).contains("export class RelayClient", "getToken?:");

            Http.Response page = server.http().get("/", null);
            assertThat(page.raw().body()).contains("import { RelayClient, tokenSubject } from '/ws/client.js'");
        }
    }
}
