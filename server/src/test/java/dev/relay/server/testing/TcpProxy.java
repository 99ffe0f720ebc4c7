package dev.relay.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder in front of a server, to break connections the way a network does while the server stays up:
 * {@link #cut()} resets every connection through it and refuses new ones until {@link #restore()};
 * {@link #silenceOpenConnections()} stops carrying bytes on the open ones without closing them, like a path that died
 * without a word (new connections still work).
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<Socket> silenced = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    private TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("tcp-proxy-" + listener.getLocalPort()).start(this::accept);
    }

    /** Forwards a loopback port of its own to {@code targetPort} on loopback. */
    public static TcpProxy to(int targetPort) {
        try {
            return new TcpProxy(targetPort);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Resets every open connection and refuses new ones. */
    public void cut() {
        cut = true;
        sockets.forEach(TcpProxy::reset);
    }

    public void restore() {
        cut = false;
    }

    /** Open connections stay open but carry nothing more, either way. */
    public void silenceOpenConnections() {
        silenced.addAll(sockets);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (cut) {
                    reset(client);
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // the listener closed, or the target refused: the client sees its connection go
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    if (!silenced.contains(from)) {
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                reset(from);
                reset(to);
            }
        });
    }

    /** Closes with an RST, as a broken network path looks to both ends. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        cut();
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
