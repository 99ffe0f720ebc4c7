package dev.relay.server.observe;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The encoder of Relay's appenders: the pattern (text lines with key=value fields) by default, or with
 * {@code <format>json</format>} logback's own {@link JsonEncoder}, one JSON object per line for log shippers.
 * logback.xml sets the format from {@code log_format}, so switching needs no second appender and no Janino.
 */
public final class RelayLogEncoder extends PatternLayoutEncoder {
    private String format = "text";
    private JsonEncoder json;

    /** {@code text} or {@code json}; set by logback from the configuration file. */
    public void setFormat(String format) {
        this.format = format == null ? "text" : format.strip();
    }

    @Override
    public void start() {
        if ("json".equalsIgnoreCase(format)) {
            json = new JsonEncoder();
            json.setContext(getContext());
            // The formatted message is what an operator greps for; arguments and sequence numbers are noise.
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.start();
        }
        super.start();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return json != null ? json.encode(event) : super.encode(event);
    }

    @Override
    public byte[] headerBytes() {
        return json != null ? null : super.headerBytes();
    }

    @Override
    public byte[] footerBytes() {
        return json != null ? null : super.footerBytes();
    }

    @Override
    public void stop() {
        if (json != null) {
            json.stop();
        }
        super.stop();
    }
}
