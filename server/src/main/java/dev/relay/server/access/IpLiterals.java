package dev.relay.server.access;

/**
 * Turns the text of an IP address into its bytes without ever asking DNS: {@code InetAddress.getByName} would
 * resolve anything that is not a literal, so a typo in an allow list could make startup wait on the network.
 */
final class IpLiterals {
    private IpLiterals() {
    }

    /** Returns 4 bytes for IPv4, 16 for IPv6; throws IllegalArgumentException saying what is wrong. */
    static byte[] parse(String text) {
        if (text.indexOf(':') >= 0) {
            return ipv6(text);
        }
        if (text.indexOf('.') >= 0 && !text.isEmpty() && Character.isDigit(text.charAt(0))) {
            return ipv4(text);
        }
        throw new IllegalArgumentException("not an IP address (host names are not accepted)");
    }

    private static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("an IPv4 address has 4 parts separated by dots");
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) octet(parts[i]);
        }
        return bytes;
    }

    private static int octet(String part) {
        // A leading zero is refused because some tools read "010" as octal 8: better to say no than to guess.
        boolean digits = !part.isEmpty() && part.length() <= 3 && part.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits || (part.length() > 1 && part.charAt(0) == '0')) {
            throw new IllegalArgumentException("IPv4 part \"" + part + "\" is not a number from 0 to 255");
        }
        int value = Integer.parseInt(part);
        if (value > 255) {
            throw new IllegalArgumentException("IPv4 part \"" + part + "\" is not a number from 0 to 255");
        }
        return value;
    }

    private static byte[] ipv6(String text) {
        if (text.indexOf('%') >= 0) {
            throw new IllegalArgumentException("IPv6 zone ids (%...) are not supported");
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            throw new IllegalArgumentException("an IPv6 address may contain \"::\" only once");
        }
        int[] head;
        int[] tail;
        if (gap < 0) {
            head = groups(text, true);
            tail = new int[0];
            if (head.length != 8) {
                throw new IllegalArgumentException("an IPv6 address has 8 groups, or fewer with \"::\"");
            }
        } else {
            head = gap == 0 ? new int[0] : groups(text.substring(0, gap), false);
            String rest = text.substring(gap + 2);
            tail = rest.isEmpty() ? new int[0] : groups(rest, true);
            if (head.length + tail.length > 7) {
                throw new IllegalArgumentException("an IPv6 address has 8 groups, or fewer with \"::\"");
            }
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < head.length; i++) {
            put(bytes, i, head[i]);
        }
        for (int i = 0; i < tail.length; i++) {
            put(bytes, 8 - tail.length + i, tail[i]);
        }
        return bytes;
    }

    private static void put(byte[] bytes, int group, int value) {
        bytes[2 * group] = (byte) (value >>> 8);
        bytes[2 * group + 1] = (byte) value;
    }

    /** Groups of 16 bits; the last piece may be a dotted IPv4 address (as in ::ffff:10.1.2.3), worth two groups. */
    private static int[] groups(String text, boolean mayEndInIpv4) {
        String[] pieces = text.split(":", -1);
        int count = pieces.length;
        boolean endsInIpv4 = mayEndInIpv4 && pieces[count - 1].indexOf('.') >= 0;
        int[] groups = new int[endsInIpv4 ? count + 1 : count];
        for (int i = 0; i < count; i++) {
            String piece = pieces[i];
            if (i == count - 1 && endsInIpv4) {
                byte[] v4 = ipv4(piece);
                groups[i] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
                groups[i + 1] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
            } else {
                groups[i] = hexGroup(piece);
            }
        }
        return groups;
    }

    private static int hexGroup(String piece) {
        if (piece.isEmpty() || piece.length() > 4 || !piece.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("IPv6 group \"" + piece + "\" is not 1 to 4 hex digits");
        }
        return Integer.parseInt(piece, 16);
    }

    /** RFC 5952 text: lower-case hex, no leading zeros, the longest run of two or more zero groups as "::". */
    static String formatIpv6(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[2 * i] & 0xff) << 8 | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
