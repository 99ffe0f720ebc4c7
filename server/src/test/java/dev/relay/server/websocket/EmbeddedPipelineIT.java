package dev.relay.server.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.server.WebSocketService;
import dev.relay.server.testing.Http;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A host application's own Netty server with its own route ({@code /hello}) and Relay's under {@code /chat}, through
 * {@link WebSocketService#pipelineHandler}: real sockets, the JDK's WebSocket and HTTP clients.
 */
class EmbeddedPipelineIT {
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
