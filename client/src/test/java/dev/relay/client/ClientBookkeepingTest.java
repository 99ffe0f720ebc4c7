package dev.relay.client;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class ClientBookkeepingTest {
    @Test
    void recognisesARepeatUntilItFallsOutOfTheWindow() {
        RecentIds ids = new RecentIds(2);
        assertThat(ids.firstTime("a")).isTrue();
        assertThat(ids.firstTime("a")).isFalse();
        assertThat(ids.firstTime("b")).isTrue();
        assertThat(ids.firstTime("c")).isTrue(); // pushes "a" out
        assertThat(ids.firstTime("a")).isTrue();
        assertThat(ids.firstTime("c")).isFalse();
    }

    @Test
    void messagesWithoutAnIdAreAlwaysNew() {
        RecentIds ids = new RecentIds(2);
        assertThat(ids.firstTime(null)).isTrue();
        assertThat(ids.firstTime(null)).isTrue();
    }

    @Test
    void aDroppedConnectionEndsLeavesAndFailsPingsButForgetsResumesQuietly() {
        Requests requests = new Requests();
        CompletableFuture<Void> leave = new CompletableFuture<>();
        CompletableFuture<Void> ping = new CompletableFuture<>();
        CompletableFuture<Void> resume = new CompletableFuture<>();
        requests.add("1", new Requests.Request(Requests.Kind.LEAVE, "r", leave));
        requests.add("2", new Requests.Request(Requests.Kind.PING, null, ping));
        requests.add("3", new Requests.Request(Requests.Kind.RESUME, "r", resume));

        requests.disconnected(new RelayException(RelayException.NOT_CONNECTED, "dropped"));

        assertThat(leave).isCompleted();
        assertThat(ping).isCompletedExceptionally();
        assertThat(resume).isNotDone();
        assertThat(requests.answered("3")).isNull();
    }
}
