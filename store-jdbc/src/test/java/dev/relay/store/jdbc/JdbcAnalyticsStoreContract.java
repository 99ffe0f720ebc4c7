package dev.relay.store.jdbc;

import dev.relay.core.analytics.AnalyticsRecorder;
import dev.relay.core.analytics.AnalyticsReport;
import dev.relay.core.analytics.AnalyticsStore;
import dev.relay.core.analytics.AnalyticsStoreContract;
import dev.relay.core.analytics.Period;
import dev.relay.core.analytics.Window;
import dev.relay.core.event.RelayEvent;
import dev.relay.core.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Core's analytics contract on a database, and what only a database does: keep yesterday across a restart. */
abstract class JdbcAnalyticsStoreContract extends AnalyticsStoreContract {
    private final List<JdbcMessageStore> opened = new ArrayList<>();

    abstract String jdbcUrl();

    abstract String schema();

    JdbcMessageStore open() {
        JdbcMessageStore store = JdbcMessageStore.open(new JdbcStoreSettings(jdbcUrl(), schema(), 1000, 100,
                Duration.ofMillis(2), 100, false), Clock.systemUTC());
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(JdbcMessageStore::close);
    }

    @Override
    protected AnalyticsStore store() {
        return open().analytics();
    }

    @Test
    void aRestartKeepsYesterdaysFigures() {
        MutableClock clock = new MutableClock(T0.minus(Duration.ofDays(1)));
        JdbcMessageStore first = open();
        AnalyticsRecorder before = new AnalyticsRecorder(clock, 100, 100);
        before.onEvent(new RelayEvent.RoomMessage("m1", "general", "alice", 1, "e", "hi", clock.instant()));
        before.onEvent(new RelayEvent.UserOnline("bob", clock.instant()));
        first.analytics().write(before.drain());
        first.close();

        clock.advance(Duration.ofDays(1)); // today, after a restart: a new node id writes beside yesterday's
        AnalyticsStore reopened = open().analytics();
        AnalyticsRecorder after = new AnalyticsRecorder(clock, 100, 100);
        after.onEvent(new RelayEvent.RoomMessage("m2", "general", "alice", 2, "e", "hi", clock.instant()));
        reopened.write(after.drain());
        AnalyticsReport report = new AnalyticsReport(reopened, clock, () -> 0);

        @SuppressWarnings("unchecked")
        List<Object> daily = (List<Object>) report.activeUsers(Period.DAY).get("series");
        assertThat(daily.subList(daily.size() - 2, daily.size())).containsExactly(
                Map.of("date", "2026-02-28", "active_users", 2L), Map.of("date", "2026-03-01", "active_users", 1L));
        Map<String, Object> day = report.overview(Window.DAY);
        assertThat(((Map<?, ?>) day.get("messages")).get("total")).isEqualTo(1L); // yesterday 08:00 is outside 24h
        assertThat(report.room("general", Window.WEEK)).containsEntry("messages", 2L).containsEntry("active_users", 1L);
        assertThat(reopened.activeUsersPer(Period.WEEK, D0 - 1, D0)).extracting(AnalyticsStore.PeriodCount::activeUsers)
                .containsExactly(2L);
    }
}
