package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.server.WebSocketService;
import dev.relay.server.testing.Http;
import dev.relay.server.testing.TestCertificates;
import dev.relay.server.testing.TestServer;
import dev.relay.server.testing.WsClient;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A host application's own Netty server with its own route ({@code /hello}) and Relay's under {@code /chat}, through
 * {@link WebSocketService#pipelineHandler}: real sockets, the JDK's WebSocket and HTTP clients.
 */
class EmbeddedPipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private TestServer relay;
    private EventLoopGroup hostLoops;
    private Channel host;

    @BeforeEach
    void start() throws InterruptedException {
        relay = TestServer.start();
        WebSocketService service = relay.service();
        hostLoops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        host = new ServerBootstrap().group(hostLoops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast("codec", new HttpServerCodec())
                                .addLast("relay", service.pipelineHandler("/chat"))
                                .addLast("aggregator", new HttpObjectAggregator(64 * 1024))
                                .addLast("routes", new HostRoutes());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void stop() {
        host.close().syncUninterruptibly();
        relay.close();
        hostLoops.shutdownGracefully().syncUninterruptibly();
    }

    @Test
    void twoClientsChatThroughTheHostsPortUnderItsPrefix() {
        try (WsClient alice = connect("alice", "general");
             WsClient bob = connect("bob", "general")) {
            alice.awaitType("user_joined");
            bob.awaitType("user_joined");
            alice.send(Map.of("type", "room_message", "room_id", "general", "content", "hello from the host's port"));

            JsonNode received = bob.awaitType("room_message");
            assertThat(received.path("content").asText()).isEqualTo("hello from the host's port");
            assertThat(received.path("from").asText()).isEqualTo("alice");
            // The same hub as Relay's own port: it counts the host's connections.
            assertThat(relay.service().hub().queries().connections()).isEqualTo(2);
        }
    }

    @Test
    void relaysRestApiAndTheHostsRoutesShareTheHostsConnections() {
        Http http = new Http(path -> URI.create("http://127.0.0.1:" + hostPort() + path));
        String token = relay.token("carol");
        for (int round = 0; round < 2; round++) { // alternating on the client's kept-alive connection
            Http.Response rooms = http.get("/chat/ws/rooms", token);
            assertThat(rooms.status()).isEqualTo(200);
            assertThat(rooms.body().path("success").asBoolean()).isTrue();
            assertThat(rooms.body().toString()).contains("\"general\"");

            Http.Response hello = http.get("/hello", null);
            assertThat(hello.status()).isEqualTo(200);
            assertThat(hello.raw().body()).isEqualTo("hello from the host");
        }
        // Relay's own refusals, in its envelope.
        Http.Response unauthorized = http.get("/chat/ws/rooms", null);
        assertThat(unauthorized.status()).isEqualTo(401);
        assertThat(unauthorized.body().path("success").asBoolean()).isFalse();
        assertThat(http.get("/chat/ws/nowhere", token).body().path("success").asBoolean()).isFalse();
    }

    @Test
    void theApiReferenceAndEveryFileItLoadsAreServedUnderThePrefix() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + hostPort() + "/chat/ws/";
        HttpResponse<String> page = client.send(HttpRequest.newBuilder(
                URI.create(base + "docs")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).as("only relative references, so the page works under any prefix")
                .doesNotContain("\"/ws/").doesNotContain("'/ws/");
        // What the page refers to, resolved against its own address as a browser does.
        for (String reference : List.of("docs/swagger-ui.css", "docs/swagger-ui-bundle.js",
                "docs/favicon-32x32.png", "openapi.json")) {
            assertThat(page.body()).contains(reference);
            URI resolved = URI.create(base + "docs").resolve(reference);
            assertThat(resolved.getPath()).startsWith("/chat/ws/");
            assertThat(client.send(HttpRequest.newBuilder(resolved).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).as(reference).isEqualTo(200);
        }
    }

    @Test
    void pathsOutsideThePrefixAreTheHostsEvenWhenTheyLookLikeRelays() {
        Http http = new Http(path -> URI.create("http://127.0.0.1:" + hostPort() + path));
        String token = relay.token("dave");
        for (String path : new String[]{"/ws/rooms", "/chatroom/ws/rooms", "/chat/wsx", "/chat", "/other/chat/ws/rooms"}) {
            Http.Response answer = http.get(path, token);
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.raw().body()).as(path).isEqualTo("the host has no " + path);
        }
        assertThat(WsClient.connectFailure(URI.create("ws://127.0.0.1:" + hostPort() + "/ws/connect?token=" + token),
                Map.of())).as("Relay's path without the prefix").isNotNull();
    }

    @Test
    void aRefusedUpgradeIsAnsweredByRelaysGate() {
        Throwable refused = WsClient.connectFailure(
                URI.create("ws://127.0.0.1:" + hostPort() + "/chat/ws/connect?room_id=general"), Map.of());
        assertThat(refused).isNotNull();
        assertThat(relay.service().hub().queries().connections()).isZero();
    }

    @Test
    void closingTheServiceClosesTheConnectionsItHoldsOnTheHostsPort() {
        WsClient erin = connect("erin", "general");
        relay.close();
        assertThat(erin.awaitClose().code()).isEqualTo(1001);
        assertThat(new Http(path -> URI.create("http://127.0.0.1:" + hostPort() + path)).get("/hello", null)
                .status()).isEqualTo(200);
    }

    /**
     * Relay's pre-framed bytes enter the pipeline after the host's TLS handler, so they are encrypted like everything
     * else: small frames (copied per loop) and large ones (shared) both reach a wss:// client intact.
     */
    @Test
    void theHostsTlsCarriesRelaysFramesBothSmallAndLarge() throws Exception {
        TestCertificates.Issued ca = TestCertificates.authority("embedding-test-ca");
        TestCertificates.Issued certificate = TestCertificates.server(ca, "EC");
        SslContext tls = SslContextBuilder.forServer(certificate.keys().getPrivate(), certificate.certificate(),
                ca.certificate()).build();
        WebSocketService service = relay.service();
        Channel secureHost = new ServerBootstrap().group(hostLoops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()))
                                .addLast("codec", new HttpServerCodec())
                                .addLast("relay", service.pipelineHandler("/chat"))
                                .addLast("aggregator", new HttpObjectAggregator(64 * 1024))
                                .addLast("routes", new HostRoutes());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        try {
            HttpClient https = HttpClient.newBuilder().sslContext(TestCertificates.clientContext(ca, null))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            int port = ((java.net.InetSocketAddress) secureHost.localAddress()).getPort();
            LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
            WebSocket bob = https.newWebSocketBuilder().buildAsync(URI.create("wss://127.0.0.1:" + port
                    + "/chat/ws/connect?room_id=general&token=" + relay.token("bob")), new Collecting(received))
                    .get(10, TimeUnit.SECONDS);
            WebSocket alice = https.newWebSocketBuilder().buildAsync(URI.create("wss://127.0.0.1:" + port
                    + "/chat/ws/connect?room_id=general&token=" + relay.token("alice")),
                    new Collecting(new LinkedBlockingQueue<>())).get(10, TimeUnit.SECONDS);
            // Within max_message_length (1000 characters), past COPY_LIMIT bytes on the wire: shared, not copied.
            String large = "界".repeat(900);
            assertThat(large.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(2 * NettyConnection.COPY_LIMIT);
            for (String content : new String[]{"small", large}) {
                alice.sendText("{\"type\":\"room_message\",\"room_id\":\"general\",\"content\":\"" + content
                        + "\"}", true).get(5, TimeUnit.SECONDS);
                assertThat(awaitRoomMessage(received).path("content").asText()).isEqualTo(content);
            }
            assertThat(https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/hello")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("hello from the host");
            alice.abort();
            bob.abort();
        } finally {
            secureHost.close().syncUninterruptibly();
        }
    }

    private static JsonNode awaitRoomMessage(LinkedBlockingQueue<JsonNode> received) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            JsonNode next = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (next != null && next.path("type").asText().equals("room_message")) {
                return next;
            }
        }
        throw new AssertionError("no room_message within 10 s");
    }

    /** Text frames as JSON, into a queue. */
    private record Collecting(LinkedBlockingQueue<JsonNode> received, StringBuilder partial)
            implements WebSocket.Listener {
        Collecting(LinkedBlockingQueue<JsonNode> received) {
            this(received, new StringBuilder());
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    received.add(JSON.readTree(partial.toString()));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }
    }

    private WsClient connect(String user, String room) {
        WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + hostPort() + "/chat/ws/connect?room_id="
                + room + "&token=" + relay.token(user)));
        JsonNode welcome = client.expectType("welcome");
        assertThat(welcome.path("data").path("user_id").asText()).isEqualTo(user);
        return client;
    }

    private int hostPort() {
        return ((java.net.InetSocketAddress) host.localAddress()).getPort();
    }

    /** The host application's own routes: {@code /hello}, and a 404 of its own for anything else. */
    private static final class HostRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = request.uri().split("\\?", 2)[0];
            boolean hello = path.equals("/hello");
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                    hello ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND, Unpooled.copiedBuffer(
                    hello ? "hello from the host" : "the host has no " + path, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(response, response.content().readableBytes());
            HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
            ctx.writeAndFlush(response);
        }
    }
}
