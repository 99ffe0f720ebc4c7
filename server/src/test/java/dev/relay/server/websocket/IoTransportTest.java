package dev.relay.server.websocket;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class IoTransportTest {
    private static Function<IoTransport, Optional<Throwable>> refusing(IoTransport... refused) {
        Set<IoTransport> no = Set.of(refused);
        return t -> no.contains(t) ? Optional.of(new UnsatisfiedLinkError("no " + t.settingName() + " here"))
                : Optional.empty();
    }

    @Test
    void autoPicksEpollWhereEverythingLoads() {
        IoTransport.Choice choice = IoTransport.choose("auto", refusing());

        assertThat(choice.transport()).isEqualTo(IoTransport.EPOLL);
        assertThat(choice.fellBackFrom()).isEmpty();
    }

    @Test
    void autoPicksNioWhereNoNativeTransportLoads() {
        IoTransport.Choice choice = IoTransport.choose("auto", refusing(IoTransport.EPOLL, IoTransport.IO_URING));

        assertThat(choice.transport()).isEqualTo(IoTransport.NIO);
        assertThat(choice.fellBackFrom()).isEmpty();
    }

    @Test
    void aNamedTransportThatLoadsIsUsed() {
        assertThat(IoTransport.choose("io_uring", refusing()).transport()).isEqualTo(IoTransport.IO_URING);
        assertThat(IoTransport.choose("nio", refusing()).transport()).isEqualTo(IoTransport.NIO);
        assertThat(IoTransport.choose("epoll", refusing(IoTransport.IO_URING)).transport()).isEqualTo(IoTransport.EPOLL);
    }

    @Test
    void ioUringRefusedFallsBackToAutosChoiceAndSaysWhy() {
        IoTransport.Choice choice = IoTransport.choose("io_uring", refusing(IoTransport.IO_URING));

        assertThat(choice.transport()).isEqualTo(IoTransport.EPOLL);
        assertThat(choice.fellBackFrom()).hasValueSatisfying(why ->
                assertThat(why).startsWith("io_uring unavailable").contains("no io_uring here"));
    }

    @Test
    void epollOffLinuxFallsBackToNio() {
        IoTransport.Choice choice = IoTransport.choose("epoll", refusing(IoTransport.EPOLL, IoTransport.IO_URING));

        assertThat(choice.transport()).isEqualTo(IoTransport.NIO);
        assertThat(choice.fellBackFrom()).hasValueSatisfying(why -> assertThat(why).startsWith("epoll unavailable"));
    }
}
