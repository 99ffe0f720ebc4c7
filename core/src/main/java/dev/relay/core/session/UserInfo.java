package dev.relay.core.session;

import java.util.List;

/** One user as the API reports them: status, live connections and the rooms those connections are in. */
public record UserInfo(String userId, String name, UserStatus status, int connections, List<String> rooms) {
}
