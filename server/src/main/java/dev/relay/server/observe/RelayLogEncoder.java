package dev.relay.server.observe;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.pattern.PatternLayoutEncoderBase;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The encoder of Relay's appenders: the pattern (text lines with key=value fields) by default, or with
 * {@code <format>json</format>} one JSON object per line with each field under its ECS name ({@link EcsJson}).
 * logback.xml sets the format from {@code log_format}, so switching needs no second appender and no Janino.
 * <p>
 * In text, the message and exception messages are escaped ({@link LogText}): a token header, a request target or a
 * user id a client sent can neither end the line and forge the next one nor send terminal escape sequences. It is
 * done here, not where values are logged, so a log line added later is covered without anyone remembering to.
 * (JSON escapes by itself.)
 */
public final class RelayLogEncoder extends PatternLayoutEncoderBase<ILoggingEvent> {
    /** Every conversion word logback has for the message and the stack trace, escaped instead. */
    private static final Map<String, Supplier<DynamicConverter>> ESCAPED = Map.of(
            "m", EscapingConverters.MessageText::new,
            "msg", EscapingConverters.MessageText::new,
            "message", EscapingConverters.MessageText::new,
            "ex", EscapingConverters.StackTrace::new,
            "exception", EscapingConverters.StackTrace::new,
            "throwable", EscapingConverters.StackTrace::new,
            "xEx", EscapingConverters.StackTrace::new,
            "xException", EscapingConverters.StackTrace::new,
            "xThrowable", EscapingConverters.StackTrace::new);

    private String format = "text";
    private boolean json;

    /** {@code text} or {@code json}; set by logback from the configuration file. */
    public void setFormat(String format) {
        this.format = format == null ? "text" : format.strip();
    }

    @Override
    public void start() {
        json = "json".equalsIgnoreCase(format);
        PatternLayout text = new PatternLayout();
        text.setContext(getContext());
        text.setPattern(getPattern());
        text.setOutputPatternAsHeader(outputPatternAsHeader);
        text.getInstanceConverterMap().putAll(ESCAPED);
        text.start();
        this.layout = text;
        super.start();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return json ? EcsJson.encode(event) : super.encode(event);
    }

    @Override
    public byte[] headerBytes() {
        return json ? null : super.headerBytes();
    }

    @Override
    public byte[] footerBytes() {
        return json ? null : super.footerBytes();
    }
}
