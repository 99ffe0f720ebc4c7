package dev.relay.server.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SocketIoPacketTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsEveryPartOfAPacket() {
        assertThat(SocketIoPacket.parse("0")).isEqualTo(new SocketIoPacket(0, 0, "/", -1, null));
        assertThat(SocketIoPacket.parse("0{\"token\":\"t\"}"))
                .isEqualTo(new SocketIoPacket(0, 0, "/", -1, "{\"token\":\"t\"}"));
        assertThat(SocketIoPacket.parse("0/admin,{\"token\":\"t\"}"))
                .isEqualTo(new SocketIoPacket(0, 0, "/admin", -1, "{\"token\":\"t\"}"));
        assertThat(SocketIoPacket.parse("0/admin")).isEqualTo(new SocketIoPacket(0, 0, "/admin", -1, null));
        assertThat(SocketIoPacket.parse("212[\"room_message\",{}]"))
                .isEqualTo(new SocketIoPacket(2, 0, "/", 12, "[\"room_message\",{}]"));
        assertThat(SocketIoPacket.parse("52-7[\"e\",{\"_placeholder\":true,\"num\":0}]"))
                .isEqualTo(new SocketIoPacket(5, 2, "/", 7, "[\"e\",{\"_placeholder\":true,\"num\":0}]"));
        assertThat(SocketIoPacket.parse("1")).isEqualTo(new SocketIoPacket(1, 0, "/", -1, null));
    }

    @Test
    void refusesWhatIsNoPacket() {
        assertThatThrownBy(() -> SocketIoPacket.parse("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocketIoPacket.parse("7[]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocketIoPacket.parse("5[\"e\"]")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesPacketsOfTheMainNamespace() {
        assertThat(SocketIoPacket.encode(SocketIoPacket.ACK, 3, "[{}]")).isEqualTo("33[{}]");
        assertThat(SocketIoPacket.encode(SocketIoPacket.EVENT, -1, "[\"x\"]")).isEqualTo("2[\"x\"]");
        assertThat(SocketIoPacket.encode(SocketIoPacket.DISCONNECT, -1, null)).isEqualTo("1");
    }

    @Test
    void attachmentsBecomeBase64AndBack() throws Exception {
        byte[] first = {0, 1, (byte) 255};
        byte[] second = {42};
        JsonNode args = JSON.readTree("[\"room_message\",{\"data\":{\"a\":{\"_placeholder\":true,\"num\":0},"
                + "\"list\":[{\"_placeholder\":true,\"num\":1}]}}]");
        JsonNode filled = BinaryAttachments.fill(args, List.of(first, second));
        assertThat(filled.at("/1/data/a/_binary").asText()).isEqualTo(Base64.getEncoder().encodeToString(first));
        assertThat(filled.at("/1/data/list/0/_binary").asText()).isEqualTo(Base64.getEncoder().encodeToString(second));

        List<byte[]> extracted = BinaryAttachments.extract(filled);
        assertThat(extracted).containsExactly(first, second);
        assertThat(filled.at("/1/data/a")).isEqualTo(JSON.readTree("{\"_placeholder\":true,\"num\":0}"));
        assertThat(filled.at("/1/data/list/0/num").asInt()).isEqualTo(1);
    }

    @Test
    void aPlaceholderPastTheAttachmentsIsRefusedAndAForeignBinaryFieldKept() throws Exception {
        JsonNode args = JSON.readTree("[\"e\",{\"_placeholder\":true,\"num\":1}]");
        assertThatThrownBy(() -> BinaryAttachments.fill(args, List.of(new byte[1])))
                .isInstanceOf(IllegalArgumentException.class);
        JsonNode notBase64 = JSON.readTree("{\"x\":{\"_binary\":\"not base64!\"}}");
        assertThat(BinaryAttachments.extract(notBase64)).isEmpty();
        assertThat(notBase64.at("/x/_binary").asText()).isEqualTo("not base64!");
    }
}
