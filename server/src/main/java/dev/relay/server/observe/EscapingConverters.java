package dev.relay.server.observe;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/** The text log's {@code %msg} and {@code %ex}, with what clients can put in them escaped by {@link LogText}. */
final class EscapingConverters {
    private EscapingConverters() {
    }

    /** {@code %msg}: the formatted message, escaped. */
    static final class MessageText extends MessageConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return LogText.escape(super.convert(event));
        }
    }

    /**
     * {@code %ex}: the stack trace keeps its own line breaks; each exception's message, which may quote a request,
     * is escaped.
     */
    static final class StackTrace extends ThrowableProxyConverter {
        @Override
        protected String throwableProxyToString(IThrowableProxy proxy) {
            return super.throwableProxyToString(new Escaped(proxy));
        }
    }

    private record Escaped(IThrowableProxy proxy) implements IThrowableProxy {
        @Override
        public String getMessage() {
            return LogText.escape(proxy.getMessage());
        }

        @Override
        public String getOverridingMessage() {
            return LogText.escape(proxy.getOverridingMessage());
        }

        @Override
        public String getClassName() {
            return proxy.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return proxy.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return proxy.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return proxy.getCause() == null ? null : new Escaped(proxy.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = proxy.getSuppressed();
            if (suppressed == null) {
                return null;
            }
            IThrowableProxy[] escaped = new IThrowableProxy[suppressed.length];
            for (int i = 0; i < suppressed.length; i++) {
                escaped[i] = new Escaped(suppressed[i]);
            }
            return escaped;
        }

        @Override
        public boolean isCyclic() {
            return proxy.isCyclic();
        }
    }
}
