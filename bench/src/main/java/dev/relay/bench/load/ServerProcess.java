package dev.relay.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What /proc (and, for a JVM, jcmd) tells about the server process under test; for a cluster, about every node's
 * process, summed.
 */
final class ServerProcess {
    private static final Pattern HEAP_USED = Pattern.compile("(?m)^\\S[^\\n]*?\\btotal\\b[^\\n]*?\\bused (\\d+)K");
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final List<Long> pids;

    ServerProcess(List<Long> pids) {
        this.pids = List.copyOf(pids);
    }

    /** Resident set size in bytes (VmRSS). */
    long rssBytes() {
        long sum = 0;
        for (long pid : pids) {
            sum += rssBytes(pid);
        }
        return sum;
    }

    private static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/status: is --server-pid right?", e);
        }
        throw new IllegalStateException("/proc/" + pid + "/status has no VmRSS");
    }

    /** CPU time the process has used (user + system), in nanoseconds; -1 when /proc cannot tell. */
    long cpuNanos() {
        long sum = 0;
        for (long pid : pids) {
            long used = cpuNanos(pid);
            if (used < 0) {
                return -1;
            }
            sum += used;
        }
        return sum;
    }

    private static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
            return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU time the whole machine has been busy (all cores, everything but idle and iowait), in nanoseconds; with the
     * server's and the generator's own, it tells how much other processes took during a run.
     */
    static long machineBusyNanos() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            String[] f = cpu.trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    boolean isJvm() {
        return pids.stream().allMatch(ServerProcess::isJvm);
    }

    private static boolean isJvm(long pid) {
        try {
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
            return cmdline.contains("java");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * For a JVM: runs a full GC through jcmd, then returns the live heap in bytes. Empty when it is not a JVM or
     * jcmd fails.
     */
    OptionalLong liveHeapBytes() {
        if (!isJvm()) {
            return OptionalLong.empty();
        }
        long used = 0;
        for (long pid : pids) {
            OptionalLong heap = liveHeapBytes(pid);
            if (heap.isEmpty()) {
                return OptionalLong.empty();
            }
            used += heap.getAsLong();
        }
        return OptionalLong.of(used);
    }

    private static OptionalLong liveHeapBytes(long pid) {
        if (jcmd(pid, "GC.run") == null) {
            return OptionalLong.empty();
        }
        String info = jcmd(pid, "GC.heap_info");
        if (info == null) {
            return OptionalLong.empty();
        }
        long used = 0;
        Matcher matcher = HEAP_USED.matcher(info);
        boolean any = false;
        while (matcher.find()) {
            used += Long.parseLong(matcher.group(1)) * 1024;
            any = true;
        }
        return any ? OptionalLong.of(used) : OptionalLong.empty();
    }

    private static String jcmd(long pid, String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                    .redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return null;
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
