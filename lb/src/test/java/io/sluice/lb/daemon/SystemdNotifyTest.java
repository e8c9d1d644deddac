package io.sluice.lb.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SystemdNotifyTest {
    @Test
    void withoutNotifySocketNothingIsSent() {
        SystemdNotify notify = new SystemdNotify(null, 42);

        assertThat(notify.enabled()).isFalse();
        assertThat(notify.command("--ready")).isEmpty();
        notify.ready(); // must not try to run the helper
    }

    @Test
    void blankNotifySocketCountsAsAbsent() {
        assertThat(new SystemdNotify(" ", 42).enabled()).isFalse();
    }

    @Test
    void underSystemdTheHelperNamesOurPid() {
        SystemdNotify notify = new SystemdNotify("/run/systemd/notify", 4242);

        assertThat(notify.enabled()).isTrue();
        assertThat(notify.command("--ready")).containsExactly("systemd-notify", "--pid=4242", "--ready");
        assertThat(notify.command("RELOADING=1")).containsExactly("systemd-notify", "--pid=4242", "RELOADING=1");
    }

    @Test
    void theWatchdogPingsAtHalfWatchdogSecForThisProcessOnly() {
        assertThat(SystemdNotify.watchdogInterval("5000000", null, 42)).isEqualTo(java.time.Duration.ofMillis(2500));
        assertThat(SystemdNotify.watchdogInterval("5000000", "42", 42)).isEqualTo(java.time.Duration.ofMillis(2500));
        assertThat(SystemdNotify.watchdogInterval("5000000", "7", 42)).isNull(); // meant for another process
        assertThat(SystemdNotify.watchdogInterval(null, null, 42)).isNull();
        assertThat(SystemdNotify.watchdogInterval("0", null, 42)).isNull();
        assertThat(SystemdNotify.watchdogInterval("soon", null, 42)).isNull();
    }

    @Test
    void theWatchdogIsOffWithoutNotifySocket() {
        assertThat(new SystemdNotify(null, 42, java.time.Duration.ofSeconds(2)).watchdogEvery()).isEmpty();
        assertThat(new SystemdNotify("/run/systemd/notify", 42, java.time.Duration.ofSeconds(2)).watchdogEvery())
                .contains(java.time.Duration.ofSeconds(2));
        assertThat(new SystemdNotify("/run/systemd/notify", 4242).command("WATCHDOG=1"))
                .containsExactly("systemd-notify", "--pid=4242", "WATCHDOG=1");
    }
}
