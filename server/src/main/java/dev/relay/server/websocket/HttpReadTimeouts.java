package dev.relay.server.websocket;

import dev.relay.server.config.HttpTimeoutConfig;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The deadlines of a connection still speaking HTTP, so that a socket costs its holder a steady effort instead of a
 * byte now and then (slowloris). While the client has the turn:
 * <ul>
 * <li>a request head must be complete within {@code header} of its first byte, or of the connection's opening for
 *     the first request;</li>
 * <li>a body within {@code body} of the end of its head;</li>
 * <li>after the last answer, the next request must start within {@code idle}.</li>
 * </ul>
 * While the server has the turn (a request read and not yet answered) no deadline runs; write_wait guards the
 * answer's way out. A connection past its deadline is closed without an answer (there is no request to answer). The
 * handler sits right after the HTTP codec and leaves the pipeline with the 101 of a WebSocket upgrade, after which
 * heartbeats take over.
 *
 * <p>The codec does not say when it holds part of a head, so a read that produced no HTTP object while no message
 * was open is taken as the start of a head.
 */
final class HttpReadTimeouts extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HttpReadTimeouts.class);

    private final HttpTimeoutConfig timeouts;
    private ScheduledFuture<?> timer;
    private long timerDueNanos;
    /** When the current deadline runs out; 0: none (the server has the turn). */
    private long deadlineNanos;
    private String phase = "header";
    private boolean inMessage;
    private boolean decodedThisRead;
    private long headStartedNanos;
    private int unanswered;

    HttpReadTimeouts(HttpTimeoutConfig timeouts) {
        this.timeouts = timeouts;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        waitFor(ctx, "header", System.nanoTime() + timeouts.header().toNanos());
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) throws Exception {
        decodedThisRead = true;
        if (message instanceof HttpRequest) {
            inMessage = true;
            headStartedNanos = 0;
            waitFor(ctx, "body", System.nanoTime() + timeouts.body().toNanos());
        }
        if (message instanceof LastHttpContent) {
            inMessage = false;
            unanswered++;
            deadlineNanos = 0; // the server's turn
        } else if (!(message instanceof HttpContent) && !(message instanceof HttpRequest)) {
            deadlineNanos = 0; // not HTTP any more (should not happen before the upgrade): no deadline of ours
        }
        super.channelRead(ctx, message);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (!decodedThisRead && !inMessage && headStartedNanos == 0) {
            // Bytes came and the codec holds them as part of a head: its deadline starts now, whoever has the turn.
            headStartedNanos = System.nanoTime();
            waitFor(ctx, "header", headStartedNanos + timeouts.header().toNanos());
        }
        decodedThisRead = false;
        super.channelReadComplete(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) throws Exception {
        boolean upgraded = message instanceof HttpResponse response
                && response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS);
        boolean answered = message instanceof LastHttpContent && !upgraded && !isInformational(message);
        ctx.write(message, promise);
        if (upgraded) {
            ctx.pipeline().remove(this);
        } else if (answered && unanswered > 0 && --unanswered == 0 && !inMessage && headStartedNanos == 0) {
            waitFor(ctx, "idle", System.nanoTime() + timeouts.idle().toNanos());
        }
    }

    private static boolean isInformational(Object message) {
        return message instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    /** Sets the deadline; the timer is moved only when it would fire too late, else it re-arms itself when it fires. */
    private void waitFor(ChannelHandlerContext ctx, String phase, long deadline) {
        this.phase = phase;
        this.deadlineNanos = deadline;
        if (timer != null && timerDueNanos - deadline <= 0) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        arm(ctx, deadline);
    }

    private void arm(ChannelHandlerContext ctx, long due) {
        timerDueNanos = due;
        timer = ctx.executor().schedule(() -> fire(ctx), Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void fire(ChannelHandlerContext ctx) {
        timer = null;
        if (deadlineNanos == 0 || ctx.isRemoved() || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (now - deadlineNanos < 0) {
            arm(ctx, deadlineNanos);
            return;
        }
        LOG.debug("event=http_timeout phase={} client={}", phase, ctx.channel().remoteAddress());
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    private void stop() {
        deadlineNanos = 0;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
