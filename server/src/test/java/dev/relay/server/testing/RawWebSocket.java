package dev.relay.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client written against the RFC over a plain socket, for what the JDK client hides: the exact HTTP
 * refusal of an upgrade, frames of chosen sizes, and a client that ignores pings.
 */
public final class RawWebSocket implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final HttpReply handshake;
    private boolean endedByServer;

    /** A frame as received. */
    public record Frame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** For a close frame: the status code, or -1 when it carries none. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }
    }

    /** The server's answer to the upgrade request. */
    public record HttpReply(int status, Map<String, String> headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private RawWebSocket(Socket socket, HttpReply handshake) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.handshake = handshake;
    }

    /** Sends an upgrade request for {@code pathAndQuery} with extra headers and reads the response head. */
    public static RawWebSocket open(int port, String pathAndQuery, Map<String, String> headers) throws IOException {
        return open(port, pathAndQuery, headers, 0);
    }

    /**
     * {@link #open(int, String, Map)} with the socket's receive buffer fixed at {@code receiveBufferBytes} (0: the
     * system's, which grows to megabytes), for a client that is to look backed up without sending megabytes.
     */
    public static RawWebSocket open(int port, String pathAndQuery, Map<String, String> headers,
                                    int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(10_000);
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        StringBuilder request = new StringBuilder()
                .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        InputStream input = socket.getInputStream();
        HttpReply reply = readReply(input);
        return new RawWebSocket(socket, reply);
    }

    private static HttpReply readReply(InputStream input) throws IOException {
        String statusLine = readLine(input);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while (!(line = readLine(input)).isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        String body = "";
        if (status != 101 && headers.containsKey("content-length")) {
            byte[] bytes = input.readNBytes(Integer.parseInt(headers.get("content-length")));
            body = new String(bytes, StandardCharsets.UTF_8);
        }
        return new HttpReply(status, headers, body);
    }

    private static String readLine(InputStream input) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = input.read()) != -1) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b == -1 && line.size() == 0) {
            throw new EOFException("connection closed before a response");
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    public HttpReply handshake() {
        return handshake;
    }

    /** Sends one masked frame, as a client must. */
    public void sendFrame(int opcode, byte[] payload, boolean fin) throws IOException {
        sendFrameWithReservedBits(opcode, 0, payload, fin);
    }

    /** Sends one masked frame with the reserved bits {@code rsv} (1 to 7: RSV3, RSV2, RSV1 from the right) set. */
    public void sendFrameWithReservedBits(int opcode, int rsv, byte[] payload, boolean fin) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int length = payload.length;
        if (length < 126) {
            frame.write(0x80 | length);
        } else if (length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write(length >>> 8);
            frame.write(length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    public void sendText(String text) throws IOException {
        sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8), true);
    }

    /** Reads the next frame, or null if the socket closed or nothing came within the socket timeout. */
    public Frame readFrame() throws IOException {
        try {
            int first = in.read();
            if (first == -1) {
                endedByServer = true;
                return null;
            }
            int second = in.readUnsignedByte();
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            return new Frame(first & 0x0F, payload);
        } catch (SocketTimeoutException e) {
            return null;
        } catch (EOFException e) {
            endedByServer = true;
            return null;
        } catch (IOException e) {
            if (socket.isClosed() || "Connection reset".equals(e.getMessage())) {
                endedByServer = !socket.isClosed();
                return null;
            }
            throw e;
        }
    }

    /** Reads frames until a text frame of the given type. */
    public JsonNode awaitType(String type) throws IOException {
        Frame frame;
        while ((frame = readFrame()) != null) {
            if (frame.opcode() == 0x1) {
                JsonNode message = JSON.readTree(frame.text());
                if (type.equals(message.path("type").asText())) {
                    return message;
                }
            }
        }
        throw new AssertionError("no '" + type + "' message before the connection ended");
    }

    /** Reads (ignoring pings and data) until a close frame; returns it, or null if the socket just ended. */
    public Frame awaitClose() throws IOException {
        Frame frame;
        while ((frame = readFrame()) != null) {
            if (frame.opcode() == 0x8) {
                return frame;
            }
        }
        return null;
    }

    /** Whether a read found the connection ended by the server (end of stream or reset), not just quiet. */
    public boolean endedByServer() {
        return endedByServer;
    }

    public void setReadTimeoutMillis(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
