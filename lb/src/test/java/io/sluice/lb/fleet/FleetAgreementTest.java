package io.sluice.lb.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which hosts disagree with the majority, VIP by VIP. */
class FleetAgreementTest {
    private static FleetInstance host(String vip, String host, String fingerprint) {
        return new FleetInstance("edge", vip, host, "node-" + host, "sluice-" + vip, "passing", fingerprint);
    }

    @Test
    void theHostsOutsideTheMajorityDisagree() {
        List<FleetAgreement> result = FleetAgreement.of(List.of(host("web", "lb3", "aaaa"), host("web", "lb1", "aaaa"),
                host("web", "lb2", "bbbb")));

        assertThat(result).hasSize(1);
        FleetAgreement web = result.get(0);
        assertThat(web.majority()).isEqualTo("aaaa");
        assertThat(web.allAgree()).isFalse();
        assertThat(web.agreeing()).extracting(FleetInstance::host).containsExactly("lb1", "lb3");
        assertThat(web.disagreeing()).extracting(FleetInstance::host).containsExactly("lb2");
    }

    @Test
    void eachVipIsJudgedOnItsOwn() {
        List<FleetAgreement> result = FleetAgreement.of(List.of(host("web", "lb1", "aaaa"), host("dns", "lb1", "cccc"),
                host("web", "lb2", "aaaa"), host("dns", "lb2", "cccc")));

        assertThat(result).extracting(FleetAgreement::vip).containsExactly("web", "dns");
        assertThat(result).allMatch(FleetAgreement::allAgree);
        assertThat(result).extracting(FleetAgreement::majority).containsExactly("aaaa", "cccc");
    }

    @Test
    void aTieHasNoMajorityAndEveryHostDisagrees() {
        FleetAgreement web = FleetAgreement.of(List.of(host("web", "lb1", "aaaa"), host("web", "lb2", "bbbb")))
                .get(0);

        assertThat(web.majority()).isNull();
        assertThat(web.agreeing()).isEmpty();
        assertThat(web.disagreeing()).hasSize(2);
    }

    @Test
    void aHostWithoutAFingerprintDisagreesAndNeverMakesTheMajority() {
        FleetAgreement web = FleetAgreement.of(List.of(host("web", "lb1", null), host("web", "lb2", null),
                host("web", "lb3", "aaaa"))).get(0);

        assertThat(web.majority()).isEqualTo("aaaa");
        assertThat(web.disagreeing()).extracting(FleetInstance::host).containsExactly("lb1", "lb2");
    }

    @Test
    void oneHostAloneAgreesWithItself() {
        assertThat(FleetAgreement.of(List.of(host("web", "lb1", "aaaa"))).get(0).allAgree()).isTrue();
    }
}
