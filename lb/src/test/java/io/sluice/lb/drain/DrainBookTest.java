package io.sluice.lb.drain;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.health.state.HealthState;
import io.sluice.lb.config.AllDownPolicy;
import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.DrainSettings;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.dataplane.Protocol;
import io.sluice.lb.steering.BackendRef;
import io.sluice.lb.steering.HealthBook;
import io.sluice.lb.steering.HealthEvent;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DrainBookTest {
    private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    private static final DrainSettings DRAIN = new DrainSettings(Duration.ofSeconds(5), Duration.ofSeconds(60));
    private static final InetAddress BE1 = address("10.2.0.1");
    private static final InetAddress BE2 = address("10.2.0.2");

    private final HealthBook health = new HealthBook();
    private final Map<BackendRef, Long> packets = new HashMap<>();

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static VipConfig vip(Duration slowStart, boolean drainBe1, boolean drainBe2) {
        return new VipConfig("web", address("10.100.0.1"), 80, Protocol.TCP, 251,
                List.of(new BackendConfig(BE1, 100, Optional.empty(), drainBe1),
                        new BackendConfig(BE2, 100, Optional.empty(), drainBe2)),
                AllDownPolicy.FAIL_OPEN, slowStart, DRAIN);
    }

    private static BackendRef ref(VipConfig vip, InetAddress backend) {
        return new BackendRef(vip.key(), backend);
    }

    private List<DrainTransition> sample(DrainBook book, VipConfig vip, long flowEntries, Instant at) {
        Map<BackendRef, DrainSettings> settings = Map.of(ref(vip, BE1), DRAIN, ref(vip, BE2), DRAIN);
        return book.sample(settings, r -> packets.containsKey(r) ? OptionalLong.of(packets.get(r))
                : OptionalLong.empty(), r -> flowEntries, at);
    }

    @Test
    void startupKeepsActiveBackendsSilentAndResumesDrainsTheDataPlaneStillHolds() {
        VipConfig vip = vip(Duration.ZERO, true, true);
        DrainBook book = new DrainBook(Set.of(ref(vip, BE1)));

        List<DrainTransition> changes = book.observe(List.of(vip), health, T0);

        assertThat(book.state(ref(vip, BE1))).isEqualTo(DrainState.DRAINING);
        assertThat(book.state(ref(vip, BE2))).isEqualTo(DrainState.DRAINED);
        assertThat(changes).extracting(DrainTransition::reason).containsOnly("startup");

        DrainBook plain = new DrainBook(Set.of());
        assertThat(plain.observe(List.of(vip(Duration.ZERO, false, false)), health, T0)).isEmpty();
    }

    @Test
    void aFillTheLastDaemonRecordedResumesFromWhenItBeganIfTheDataPlaneStillHoldsTheBackend() {
        Duration slowStart = Duration.ofSeconds(30);
        VipConfig vip = vip(slowStart, false, false);
        Instant began = T0.minusSeconds(12);
        DrainBook book = new DrainBook(Set.of(ref(vip, BE1), ref(vip, BE2)), Map.of(ref(vip, BE1), filling(began)));

        List<DrainTransition> changes = book.observe(List.of(vip), health, T0);

        assertThat(book.state(ref(vip, BE1))).isEqualTo(DrainState.FILLING);
        assertThat(book.fillingSince(ref(vip, BE1))).hasValue(began);
        assertThat(book.state(ref(vip, BE2))).isEqualTo(DrainState.ACTIVE);
        assertThat(changes).singleElement().satisfies(t -> {
            assertThat(t.to()).isEqualTo(DrainState.FILLING);
            assertThat(t.reason()).isEqualTo("resumed");
        });
        // The fill ends when it would have without the restart: 30 s after it began.
        assertThat(book.observe(List.of(vip), health, began.plusSeconds(29))).isEmpty();
        assertThat(book.observe(List.of(vip), health, began.plusSeconds(30)))
                .singleElement().satisfies(t -> assertThat(t.to()).isEqualTo(DrainState.ACTIVE));
    }

    @Test
    void aRecordedFillIsNotResumedWhenOverNotInTheDataPlaneInTheFutureOrDrainedByTheConfig() {
        VipConfig vip = vip(Duration.ofSeconds(30), false, false);
        BackendRef be1 = ref(vip, BE1);
        assertThat(startState(vip, Set.of(be1), T0.minusSeconds(30))).isEqualTo(DrainState.ACTIVE); // over
        assertThat(startState(vip, Set.of(), T0.minusSeconds(5))).isEqualTo(DrainState.ACTIVE); // not adopted
        assertThat(startState(vip, Set.of(be1), T0.plusSeconds(5))).isEqualTo(DrainState.ACTIVE); // clock moved back
        VipConfig draining = vip(Duration.ofSeconds(30), true, false);
        assertThat(startState(draining, Set.of(be1), T0.minusSeconds(5))).isEqualTo(DrainState.DRAINING);
        // Without a slow start a fill still lasts the minimum fill period.
        VipConfig plain = vip(Duration.ZERO, false, false);
        assertThat(startState(plain, Set.of(be1), T0.minusSeconds(9))).isEqualTo(DrainState.FILLING);
        assertThat(startState(plain, Set.of(be1), T0.minusSeconds(10))).isEqualTo(DrainState.ACTIVE);
    }

    private static PreviousDrains.Recorded filling(Instant since) {
        return new PreviousDrains.Recorded(DrainState.FILLING, since);
    }

    private static PreviousDrains.Recorded draining(Instant since) {
        return new PreviousDrains.Recorded(DrainState.DRAINING, since);
    }

    @Test
    void aDrainTheLastDaemonRecordedResumesOnItsOwnClockAndTimesOutWhenItWould() {
        VipConfig vip = vip(Duration.ZERO, true, false);
        BackendRef be1 = ref(vip, BE1);
        Instant began = T0.minusSeconds(50);
        DrainBook resumed = new DrainBook(Set.of(be1, ref(vip, BE2)), Map.of(be1, draining(began)));
        DrainBook fresh = new DrainBook(Set.of(be1, ref(vip, BE2)));

        assertThat(resumed.observe(List.of(vip), health, T0)).singleElement().satisfies(t -> {
            assertThat(t.to()).isEqualTo(DrainState.DRAINING);
            assertThat(t.reason()).isEqualTo("resumed");
        });
        fresh.observe(List.of(vip), health, T0);
        assertThat(resumed.since(be1)).hasValue(began);
        assertThat(fresh.since(be1)).hasValue(T0);

        // Traffic goes on, so only the 60 s timeout can end it: 60 s after the recorded start.
        List<DrainTransition> end = List.of();
        int s = 1;
        for (; s <= 60 && end.isEmpty(); s++) {
            packets.put(be1, (long) s * 10);
            end = sample(resumed, vip, 7, T0.plusSeconds(s));
            assertThat(sample(fresh, vip, 7, T0.plusSeconds(s))).isEmpty();
        }
        assertThat(s - 1).isEqualTo(10);
        assertThat(end).singleElement().satisfies(t -> {
            assertThat(t.reason()).isEqualTo("timeout");
            assertThat(t.drainedFor()).isEqualTo(Duration.ofSeconds(60));
        });
    }

    @Test
    void aResumedDrainStillWaitsAWholeQuietPeriodFromTheStartAndARecordNotResumedRestartsTheClock() {
        VipConfig vip = vip(Duration.ZERO, true, false);
        BackendRef be1 = ref(vip, BE1);
        DrainBook book = new DrainBook(Set.of(be1), Map.of(be1, draining(T0.minusSeconds(30))));
        book.observe(List.of(vip), health, T0);
        packets.put(be1, 5L);

        // Packets before this start were not watched: quiet is judged from it (5 s), not from the record.
        assertThat(sample(book, vip, 0, T0.plusSeconds(4))).isEmpty();
        assertThat(sample(book, vip, 0, T0.plusSeconds(5))).singleElement()
                .satisfies(t -> assertThat(t.reason()).isEqualTo("quiet"));

        // Not resumed: a start in the future (clock set back), a fill record for a drained backend,
        // a backend the data plane no longer holds.
        assertThat(startSince(vip, Set.of(be1), draining(T0.plusSeconds(5)))).hasValue(T0);
        assertThat(startSince(vip, Set.of(be1), filling(T0.minusSeconds(5)))).hasValue(T0);
        DrainBook gone = new DrainBook(Set.of(), Map.of(be1, draining(T0.minusSeconds(5))));
        gone.observe(List.of(vip), health, T0);
        assertThat(gone.state(be1)).isEqualTo(DrainState.DRAINED);
    }

    @Test
    void aBackendDrainingWhenTheLastDaemonStoppedAndUndrainedSinceRefillsFromTheStartLikeAnUndrain() {
        VipConfig undrained = vip(Duration.ofSeconds(30), false, false);
        BackendRef be1 = ref(undrained, BE1);
        DrainBook back = new DrainBook(Set.of(be1, ref(undrained, BE2)), Map.of(be1, draining(T0.minusSeconds(5))));

        assertThat(back.observe(List.of(undrained), health, T0)).singleElement().satisfies(t -> {
            assertThat(t.to()).isEqualTo(DrainState.FILLING);
            assertThat(t.reason()).isEqualTo("undrain");
        });
        assertThat(back.fillingSince(be1)).hasValue(T0);
        assertThat(back.state(ref(undrained, BE2))).isEqualTo(DrainState.ACTIVE);
        assertThat(back.observe(List.of(undrained), health, T0.plusSeconds(30)))
                .singleElement().satisfies(t -> assertThat(t.to()).isEqualTo(DrainState.ACTIVE));
        // Not in the data plane any more (its drain ended, id freed): no record to refill from.
        DrainBook gone = new DrainBook(Set.of(), Map.of(be1, draining(T0.minusSeconds(5))));
        gone.observe(List.of(undrained), health, T0);
        assertThat(gone.state(be1)).isEqualTo(DrainState.ACTIVE);
    }

    private Optional<Instant> startSince(VipConfig vip, Set<BackendRef> inDataplane, PreviousDrains.Recorded recorded) {
        DrainBook book = new DrainBook(inDataplane, Map.of(ref(vip, BE1), recorded));
        book.observe(List.of(vip), health, T0);
        assertThat(book.state(ref(vip, BE1))).isEqualTo(DrainState.DRAINING);
        return book.since(ref(vip, BE1));
    }

    private DrainState startState(VipConfig vip, Set<BackendRef> inDataplane, Instant fillBegan) {
        DrainBook book = new DrainBook(inDataplane, Map.of(ref(vip, BE1), filling(fillBegan)));
        book.observe(List.of(vip), health, T0);
        return book.state(ref(vip, BE1));
    }

    @Test
    void drainEndsQuietOnceThePacketCounterStandsStillForTheQuietPeriod() {
        DrainBook book = new DrainBook(Set.of());
        book.observe(List.of(vip(Duration.ZERO, false, false)), health, T0);
        VipConfig draining = vip(Duration.ZERO, true, false);

        List<DrainTransition> start = book.observe(List.of(draining), health, T0);
        assertThat(start).singleElement().satisfies(t -> {
            assertThat(t.from()).isEqualTo(DrainState.ACTIVE);
            assertThat(t.to()).isEqualTo(DrainState.DRAINING);
            assertThat(t.reason()).isEqualTo("config");
        });
        packets.put(ref(draining, BE1), 100L);
        assertThat(sample(book, draining, 3, T0.plusSeconds(1))).isEmpty();
        packets.put(ref(draining, BE1), 150L);                          // still flowing at t=2
        assertThat(sample(book, draining, 3, T0.plusSeconds(2))).isEmpty();
        assertThat(sample(book, draining, 3, T0.plusSeconds(6))).isEmpty(); // 4s quiet < 5s
        List<DrainTransition> end = sample(book, draining, 3, T0.plusSeconds(7));

        assertThat(end).singleElement().satisfies(t -> {
            assertThat(t.to()).isEqualTo(DrainState.DRAINED);
            assertThat(t.reason()).isEqualTo("quiet");
            assertThat(t.drainedFor()).isEqualTo(Duration.ofSeconds(7));
            assertThat(t.flowEntries()).hasValue(3);
        });
        assertThat(book.anyDraining()).isFalse();
    }

    @Test
    void drainEndsAtTheTimeoutWhileTrafficGoesOnAndReportsTheFlowEntriesLeft() {
        DrainBook book = new DrainBook(Set.of());
        book.observe(List.of(vip(Duration.ZERO, false, false)), health, T0);
        VipConfig draining = vip(Duration.ZERO, true, false);
        book.observe(List.of(draining), health, T0);

        List<DrainTransition> end = List.of();
        for (int s = 1; s <= 60 && end.isEmpty(); s++) {
            packets.put(ref(draining, BE1), (long) s * 10);
            end = sample(book, draining, 42, T0.plusSeconds(s));
        }

        assertThat(end).singleElement().satisfies(t -> {
            assertThat(t.reason()).isEqualTo("timeout");
            assertThat(t.drainedFor()).isEqualTo(Duration.ofSeconds(60));
            assertThat(t.flowEntries()).hasValue(42);
        });
        assertThat(book.detail(ref(draining, BE1))).hasValue("timeout after 60s, 42 flow-cache entries");
    }

    @Test
    void aDrainingBackendThatFailsItsCheckIsDrainedAtOnceAndStaysDrainedWhenItRecovers() {
        VipConfig active = vip(Duration.ZERO, false, false);
        BackendRef be1 = ref(active, BE1);
        health.track(be1, HealthState.UP, T0);
        DrainBook book = new DrainBook(Set.of());
        book.observe(List.of(active), health, T0);
        VipConfig draining = vip(Duration.ZERO, true, false);
        book.observe(List.of(draining), health, T0);

        health.apply(new HealthEvent(be1, HealthState.UP, HealthState.DOWN, null), T0.plusSeconds(1));
        List<DrainTransition> down = book.observe(List.of(draining), health, T0.plusSeconds(1));
        health.apply(new HealthEvent(be1, HealthState.DOWN, HealthState.UP, null), T0.plusSeconds(2));
        List<DrainTransition> up = book.observe(List.of(draining), health, T0.plusSeconds(2));

        assertThat(down).singleElement().satisfies(t -> {
            assertThat(t.to()).isEqualTo(DrainState.DRAINED);
            assertThat(t.reason()).isEqualTo("health_down");
        });
        assertThat(up).isEmpty();
        assertThat(book.state(be1)).isEqualTo(DrainState.DRAINED);
    }

    @Test
    void undrainWithSlowStartFillsThenTurnsActive() {
        Duration slowStart = Duration.ofSeconds(10);
        DrainBook book = new DrainBook(Set.of());
        book.observe(List.of(vip(slowStart, false, false)), health, T0);
        book.observe(List.of(vip(slowStart, true, false)), health, T0);
        VipConfig back = vip(slowStart, false, false);

        List<DrainTransition> undrain = book.observe(List.of(back), health, T0.plusSeconds(3));
        assertThat(book.fillingSince(ref(back, BE1))).hasValue(T0.plusSeconds(3));
        assertThat(book.observe(List.of(back), health, T0.plusSeconds(12))).isEmpty();
        List<DrainTransition> filled = book.observe(List.of(back), health, T0.plusSeconds(13));

        assertThat(undrain).singleElement().satisfies(t -> {
            assertThat(t.to()).isEqualTo(DrainState.FILLING);
            assertThat(t.reason()).isEqualTo("undrain");
        });
        assertThat(filled).singleElement().satisfies(t -> assertThat(t.to()).isEqualTo(DrainState.ACTIVE));
        assertThat(book.anyFilling()).isFalse();
    }

    @Test
    void undrainWithoutSlowStartStillFillsForTheMinimumFillPeriod() {
        DrainBook book = new DrainBook(Set.of());
        book.observe(List.of(vip(Duration.ZERO, false, false)), health, T0);
        book.observe(List.of(vip(Duration.ZERO, true, false)), health, T0);
        VipConfig back = vip(Duration.ZERO, false, false);

        book.observe(List.of(back), health, T0.plusSeconds(1));
        assertThat(book.state(ref(back, BE1))).isEqualTo(DrainState.FILLING);
        book.observe(List.of(back), health, T0.plusSeconds(1).plus(DrainBook.MIN_FILL).minusMillis(1));
        assertThat(book.state(ref(back, BE1))).isEqualTo(DrainState.FILLING);
        book.observe(List.of(back), health, T0.plusSeconds(1).plus(DrainBook.MIN_FILL));
        assertThat(book.state(ref(back, BE1))).isEqualTo(DrainState.ACTIVE);
    }

    @Test
    void aBackendBackFromDownFillsFromWhenItCameUpButOneAssumedUpAtStartupDoesNot() {
        VipConfig vip = vip(Duration.ZERO, false, false);
        BackendRef be1 = ref(vip, BE1);
        health.track(be1, HealthState.UP, Instant.EPOCH); // assumed UP at startup
        DrainBook book = new DrainBook(Set.of());
        assertThat(book.observe(List.of(vip), health, T0)).isEmpty();
        assertThat(book.observe(List.of(vip), health, T0.plusSeconds(1))).isEmpty();

        health.apply(new HealthEvent(be1, HealthState.UP, HealthState.DOWN, null), T0.plusSeconds(2));
        assertThat(book.observe(List.of(vip), health, T0.plusSeconds(2))).isEmpty();
        health.apply(new HealthEvent(be1, HealthState.DOWN, HealthState.UP, null), T0.plusSeconds(5));
        List<DrainTransition> back = book.observe(List.of(vip), health, T0.plusSeconds(5));

        assertThat(back).singleElement().satisfies(t -> {
            assertThat(t.to()).isEqualTo(DrainState.FILLING);
            assertThat(t.reason()).isEqualTo("health_up");
        });
        assertThat(book.fillingSince(be1)).hasValue(T0.plusSeconds(5));
        book.observe(List.of(vip), health, T0.plusSeconds(5).plus(DrainBook.MIN_FILL));
        assertThat(book.state(be1)).isEqualTo(DrainState.ACTIVE);
        assertThat(book.observe(List.of(vip), health, T0.plusSeconds(60))).isEmpty();
    }

    @Test
    void twoDrainsRunSideBySideAndARemovedBackendIsForgotten() {
        DrainBook book = new DrainBook(Set.of());
        book.observe(List.of(vip(Duration.ZERO, false, false)), health, T0);
        VipConfig both = vip(Duration.ZERO, true, true);
        assertThat(book.observe(List.of(both), health, T0)).hasSize(2);
        assertThat(book.draining()).containsExactlyInAnyOrder(ref(both, BE1), ref(both, BE2));

        VipConfig onlyBe2 = new VipConfig("web", address("10.100.0.1"), 80, Protocol.TCP, 251,
                List.of(new BackendConfig(BE2, 100, Optional.empty(), true)), AllDownPolicy.FAIL_OPEN, Duration.ZERO,
                DRAIN);
        List<DrainTransition> removed = book.observe(List.of(onlyBe2), health, T0.plusSeconds(1));

        assertThat(removed).singleElement().satisfies(t -> {
            assertThat(t.toLabel()).isEqualTo("removed");
            assertThat(t.backend()).isEqualTo(ref(both, BE1));
        });
        assertThat(book.draining()).containsExactly(ref(both, BE2));
    }
}
