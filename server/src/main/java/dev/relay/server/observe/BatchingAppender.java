package dev.relay.server.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands log events from the threads that log (event loops) to one thread that writes them to every attached
 * appender (the console and the file), in batches. Unlike logback's {@code AsyncAppender} (one queue and thread per
 * destination, woken for every event) a burst of connects costs the event loops one queue insertion per line and
 * no thread wake-up: after a batch the writer sleeps {@link #setPauseMillis pauseMillis} instead of waiting on the
 * queue, so producers find no one to wake. Nothing is dropped: a full queue makes the logging thread wait, and
 * stopping (the shutdown hook stops logging) writes what is queued first.
 */
public final class BatchingAppender extends UnsynchronizedAppenderBase<ILoggingEvent>
        implements AppenderAttachable<ILoggingEvent> {
    private static final long STOP_WAIT_MILLIS = 5_000;

    private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();
    private int queueSize = 8192;
    private long pauseMillis = 10;
    private BlockingQueue<ILoggingEvent> queue;
    private Thread writer;
    private volatile boolean stopping;

    /** Events that may wait at once; set by logback from the configuration file. */
    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    /** How long the writer lets events gather after a batch: the most a line is delayed by batching. */
    public void setPauseMillis(long pauseMillis) {
        this.pauseMillis = pauseMillis;
    }

    @Override
    public void start() {
        if (isStarted()) {
            return;
        }
        if (queueSize < 1) {
            addError("queueSize must be at least 1");
            return;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        stopping = false;
        writer = new Thread(this::run, "relay-log-" + getName());
        writer.setDaemon(true);
        writer.start();
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        // Freeze what the writer will read later from another thread: the formatted message, MDC, thread name.
        event.prepareForDeferredProcessing();
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(event);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // a log line is not worth losing to an interrupt; restore it afterwards
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<ILoggingEvent> batch = new ArrayList<>();
        while (!stopping || !queue.isEmpty()) {
            try {
                ILoggingEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                for (ILoggingEvent event : batch) {
                    appenders.appendLoopOnAppenders(event);
                }
                batch.clear();
                if (!stopping) {
                    Thread.sleep(pauseMillis);
                }
            } catch (InterruptedException e) {
                // Nothing here interrupts this thread; should something, keep writing: loggers may be waiting on a full queue
            }
        }
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        // No interrupt: it could reach the writer inside a destination's write. It notices within one poll or pause.
        stopping = true;
        try {
            writer.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            addWarn("stopped with " + queue.size() + " log events still queued");
        }
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public void addAppender(Appender<ILoggingEvent> appender) {
        appenders.addAppender(appender);
    }

    @Override
    public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
        return appenders.iteratorForAppenders();
    }

    @Override
    public Appender<ILoggingEvent> getAppender(String name) {
        return appenders.getAppender(name);
    }

    @Override
    public boolean isAttached(Appender<ILoggingEvent> appender) {
        return appenders.isAttached(appender);
    }

    @Override
    public void detachAndStopAllAppenders() {
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public boolean detachAppender(Appender<ILoggingEvent> appender) {
        return appenders.detachAppender(appender);
    }

    @Override
    public boolean detachAppender(String name) {
        return appenders.detachAppender(name);
    }
}
