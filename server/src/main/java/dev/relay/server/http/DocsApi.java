package dev.relay.server.http;

import dev.relay.core.protocol.ErrorCode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /ws/docs}: the OpenAPI document as a readable reference (Swagger UI), served by Relay itself from the
 * swagger-ui WebJar (npm's swagger-ui-dist, republished on Maven Central), so it works offline and behind a strict
 * Content-Security-Policy: no CDN, no inline script but the page's own, allowed by its hash.
 */
final class DocsApi {
    /** The only files of the WebJar served, with their types; anything else is 404. */
    private static final Map<String, String> ASSETS = Map.of(
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "swagger-ui.css", "text/css; charset=utf-8",
            "favicon-32x32.png", "image/png");
    /** The assets change only with Relay's version, which changes the WebJar's path: a day's caching is safe. */
    private static final Map<String, String> CACHEABLE = Map.of(HttpHeaderNames.CACHE_CONTROL.toString(),
            "public, max-age=86400");

    private final HttpResponses responses;
    private final byte[] page;
    private final Map<String, String> pagePolicy;
    private final String webJar;
    /** Loaded on first request: the bundle is 1.7 MB that a server nobody reads the docs of should not hold. */
    private final Map<String, byte[]> loaded = new ConcurrentHashMap<>();

    DocsApi(HttpResponses responses) {
        this.responses = responses;
        this.page = RestApi.resource("/web/docs.html");
        this.pagePolicy = Map.of(HttpHeaderNames.CONTENT_SECURITY_POLICY.toString(), ContentSecurity.forPage(page));
        this.webJar = "/META-INF/resources/webjars/swagger-ui/" + webJarVersion() + "/";
    }

    List<Route> routes() {
        return List.of(
                Route.of(HttpMethod.GET, "/ws/docs", false, call -> responses.send(call.ctx(), call.keepAlive(),
                        HttpResponseStatus.OK, "text/html; charset=utf-8", page, pagePolicy)),
                Route.of(HttpMethod.GET, "/ws/docs/{file}", false, this::asset));
    }

    private void asset(RestCall call) {
        String file = call.pathParameter("file");
        String type = ASSETS.get(file);
        if (type == null) {
            responses.error(call.ctx(), call.keepAlive(), ErrorCode.NOT_FOUND, "no such file");
            return;
        }
        byte[] body = loaded.computeIfAbsent(file, name -> RestApi.resource(webJar + name));
        responses.send(call.ctx(), call.keepAlive(), HttpResponseStatus.OK, type, body, CACHEABLE);
    }

    private static String webJarVersion() {
        try (InputStream in = DocsApi.class.getResourceAsStream("/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the swagger-ui WebJar is not on the classpath");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
