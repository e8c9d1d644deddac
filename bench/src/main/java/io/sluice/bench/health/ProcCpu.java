package io.sluice.bench.health;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * User and system CPU time of a process or thread, read from /proc/&lt;pid&gt;/stat (fields 14 and
 * 15, in clock ticks). What the kernel charges to that task, including the softirq work it runs
 * on the way out of its own system calls.
 */
record ProcCpu(long userTicks, long systemTicks) {
    /** USER_HZ: 100 on every Linux architecture the daemon runs on. */
    static final double TICKS_PER_SECOND = 100.0;
    private static final int UTIME_FIELD = 13;
    private static final int STIME_FIELD = 14;

    static ProcCpu of(Path stat) {
        try {
            String text = Files.readString(stat);
            // The command name (field 2) may contain spaces; the fields after it never do.
            String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
            int offset = 2; // fields[0] is field 3 (state)
            return new ProcCpu(Long.parseLong(fields[UTIME_FIELD - offset]), Long.parseLong(fields[STIME_FIELD - offset]));
        } catch (IOException | RuntimeException e) {
            return new ProcCpu(0, 0);
        }
    }

    static ProcCpu self() {
        return of(Path.of("/proc/self/stat"));
    }

    static ProcCpu pid(long pid) {
        return of(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** Sum over the threads of this process whose name starts with {@code prefix}. */
    static ProcCpu threads(String prefix) {
        long user = 0;
        long system = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String name = Files.readString(task.resolve("comm")).trim();
                if (name.startsWith(prefix)) {
                    ProcCpu cpu = of(task.resolve("stat"));
                    user += cpu.userTicks;
                    system += cpu.systemTicks;
                }
            }
        } catch (IOException e) {
            return new ProcCpu(0, 0);
        }
        return new ProcCpu(user, system);
    }

    ProcCpu minus(ProcCpu earlier) {
        return new ProcCpu(userTicks - earlier.userTicks, systemTicks - earlier.systemTicks);
    }

    double userSeconds() {
        return userTicks / TICKS_PER_SECOND;
    }

    double systemSeconds() {
        return systemTicks / TICKS_PER_SECOND;
    }

    double totalSeconds() {
        return userSeconds() + systemSeconds();
    }

    /** "0.412 cores (user 0.101, sys 0.311); 41.2 us per check (user 10.1, sys 31.1)". */
    String describe(double windowSeconds, long checks) {
        double perCheck = checks == 0 ? 0 : 1e6 / checks;
        return String.format("%.3f cores (user %.3f, sys %.3f); %.1f us per check (user %.1f, sys %.1f)",
                totalSeconds() / windowSeconds, userSeconds() / windowSeconds, systemSeconds() / windowSeconds,
                totalSeconds() * perCheck, userSeconds() * perCheck, systemSeconds() * perCheck);
    }
}
