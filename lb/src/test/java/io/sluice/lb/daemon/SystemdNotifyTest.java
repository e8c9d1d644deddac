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
}
