package dev.relay.server.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The log queue: every event reaches every destination, in order, and nothing queued is lost at stop. */
class BatchingAppenderTest {
    private final LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
    private final Logger logger = context.getLogger("dev.relay.Test");
    private final BatchingAppender appender = new BatchingAppender();
    private final Recording console = new Recording("console");
    private final Recording file = new Recording("file");

    @AfterEach
    void stop() {
        appender.stop();
    }

    private void start(int queueSize) {
        appender.setContext(context);
        appender.setName("test");
        appender.setQueueSize(queueSize);
        appender.addAppender(console);
        appender.addAppender(file);
        appender.start();
    }

    @Test
    void everyDestinationGetsEveryEventInOrder() {
        start(8192);

        log(1_000);

        await().until(() -> file.lines.size() == 1_000);
        List<String> expected = IntStream.range(0, 1_000).mapToObj(i -> "event=" + i).toList();
        await().until(() -> console.lines.size() == 1_000);
        assertThat(console.lines).containsExactlyElementsOf(expected);
        assertThat(file.lines).containsExactlyElementsOf(expected);
    }

    @Test
    void stoppingWritesWhatIsQueuedAndStopsTheDestinations() {
        start(8192);
        log(500);

        appender.stop();

        assertThat(file.lines).hasSize(500);
        assertThat(console.lines).hasSize(500);
        assertThat(file.isStarted()).isFalse();
    }

    @Test
    void aFullQueueMakesTheLoggerWaitInsteadOfDropping() throws InterruptedException {
        start(1);
        file.gate = new CountDownLatch(1); // the writer blocks in the file appender: the queue fills up
        Thread producer = new Thread(() -> log(20));
        producer.start();

        await().until(() -> producer.getState() == Thread.State.WAITING);
        assertThat(console.lines.size()).isLessThan(20);
        file.gate.countDown();
        producer.join();
        appender.stop();

        assertThat(file.lines).hasSize(20);
        assertThat(console.lines).hasSize(20);
    }

    @Test
    void aQueueOfNothingIsRefused() {
        appender.setQueueSize(0);
        appender.setContext(context);

        appender.start();

        assertThat(appender.isStarted()).isFalse();
    }

    private void log(int count) {
        for (int i = 0; i < count; i++) {
            appender.doAppend(new LoggingEvent(Logger.FQCN, logger, Level.INFO, "event={}", null, new Object[]{i}));
        }
    }

    private static final class Recording extends AppenderBase<ILoggingEvent> {
        final List<String> lines = new CopyOnWriteArrayList<>();
        volatile CountDownLatch gate;

        Recording(String name) {
            setName(name);
            start();
        }

        @Override
        protected void append(ILoggingEvent event) {
            CountDownLatch waitFor = gate;
            if (waitFor != null) {
                try {
                    waitFor.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            lines.add(event.getFormattedMessage());
        }
    }
}
