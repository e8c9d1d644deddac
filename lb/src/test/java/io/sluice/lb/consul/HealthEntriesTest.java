package io.sluice.lb.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.lb.config.BackendConfig;
import io.sluice.lb.config.ConsulDiscovery;
import io.sluice.lb.config.IpLiteral;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthEntriesTest {
    private static final ConsulDiscovery WEB = new ConsulDiscovery("web", Optional.empty(), 100, 8, Optional.empty());

    static String entry(String node, String id, String address, String port, String checks) {
        return """
                {"Node": {"Node": "%s", "Address": "10.9.0.1"},
                 "Service": {"ID": "%s", "Service": "web", "Tags": ["blue"], "Address": %s, "Port": %s},
                 "Checks": [%s]}""".formatted(node, id, address, port, checks);
    }

    static String passing(String id) {
        return "{\"CheckID\": \"serfHealth\", \"Status\": \"passing\"}, {\"CheckID\": \"service:" + id
                + "\", \"Status\": \"passing\"}";
    }

    private static HealthEntries.Result parse(String json) throws Exception {
        return HealthEntries.parse(json.getBytes(StandardCharsets.UTF_8), WEB, true, false);
    }

    private static List<String> addresses(HealthEntries.Result r) {
        return r.backends().stream().map(b -> b.address().getHostAddress()).toList();
    }

    @Test
    void passingInstancesBecomeBackendsWithTheVipsWeight() throws Exception {
        HealthEntries.Result r = parse("[" + entry("n1", "a", "\"10.0.2.2\"", "80", passing("a")) + ","
                + entry("n2", "b", "\"\"", "8080", passing("b")) + "]");
        assertThat(addresses(r)).containsExactly("10.0.2.2", "10.9.0.1"); // empty Service.Address: the node's
        assertThat(r.backends()).allSatisfy(b -> {
            assertThat(b.weight()).isEqualTo(100);
            assertThat(b.drain()).isFalse();
        });
        assertThat(r.rejections()).isEmpty();
    }

    @Test
    void maintenanceDrainsAndFailingChecksLeave() throws Exception {
        String nodeMaint = passing("a") + ", {\"CheckID\": \"_node_maintenance\", \"Status\": \"critical\"}";
        String serviceMaint = passing("b") + ", {\"CheckID\": \"_service_maintenance:b\", \"Status\": \"critical\"}";
        String otherServiceMaint = passing("c") + ", {\"CheckID\": \"_service_maintenance:x\", \"Status\": \"critical\"}";
        String failing = "{\"CheckID\": \"service:d\", \"Status\": \"critical\"}";
        String warning = "{\"CheckID\": \"service:e\", \"Status\": \"warning\"}";
        HealthEntries.Result r = parse("[" + entry("n1", "a", "\"10.0.2.1\"", "80", nodeMaint) + ","
                + entry("n1", "b", "\"10.0.2.2\"", "80", serviceMaint) + ","
                + entry("n1", "c", "\"10.0.2.3\"", "80", otherServiceMaint) + ","
                + entry("n1", "d", "\"10.0.2.4\"", "80", failing) + ","
                + entry("n1", "e", "\"10.0.2.5\"", "80", warning) + "]");
        assertThat(r.backends()).containsExactly(
                new BackendConfig(IpLiteral.parse("10.0.2.1"), 100, Optional.empty(), true),
                new BackendConfig(IpLiteral.parse("10.0.2.2"), 100, Optional.empty(), true));
        // c: another service's maintenance check is not c's, but it is not passing either: c leaves.
        assertThat(r.rejections()).isEmpty();
    }

    @Test
    void malformedEntriesAreRejectedOneByOneAndTheRestApplies() throws Exception {
        String good = entry("n1", "ok", "\"10.0.2.1\"", "80", passing("ok"));
        String[] bad = {
            "17",
            "{\"Node\": {\"Node\": \"n\", \"Address\": \"10.9.0.1\"}, \"Checks\": []}",
            entry("n2", "host", "\"backend.example\"", "80", passing("host")),
            entry("n2", "port", "\"10.0.2.3\"", "\"80\"", passing("port")),
            entry("n2", "big", "\"10.0.2.4\"", "70000", passing("big")),
            entry("n2", "loop", "\"127.0.0.1\"", "80", passing("loop")),
            entry("n2", "v6", "\"2001:db8::1\"", "80", passing("v6")),
            entry("n2", "oct", "\"010.0.2.9\"", "80", passing("oct")),
            entry("n2", "addr", "[1]", "80", passing("addr")),
            entry("n2", "chk", "\"10.0.2.5\"", "80", "{\"CheckID\": \"x\", \"Status\": \"fine\"}"),
            entry("n2", "chk2", "\"10.0.2.6\"", "80", "\"passing\""),
            entry("n1", "ok", "\"10.0.2.7\"", "80", passing("ok")),
            entry("n3", "dupaddr", "\"10.0.2.1\"", "80", passing("dupaddr")),
            entry("n2", "mcast", "\"224.0.0.1\"", "80", passing("mcast")),
        };
        HealthEntries.Result r = parse("[" + good + "," + String.join(",", bad) + "]");
        assertThat(addresses(r)).containsExactly("10.0.2.1");
        assertThat(r.rejections()).hasSize(bad.length);
        assertThat(r.rejections()).extracting(HealthEntries.Rejection::reason).anySatisfy(s ->
                assertThat(s).contains("not an IP address literal")).anySatisfy(s ->
                assertThat(s).contains("Service.Port")).anySatisfy(s ->
                assertThat(s).contains("encap.source_v6")).anySatisfy(s ->
                assertThat(s).contains("duplicate instance")).anySatisfy(s ->
                assertThat(s).contains("duplicate address 10.0.2.1")).anySatisfy(s ->
                assertThat(s).contains("not a routable unicast")).anySatisfy(s ->
                assertThat(s).contains("Service is not an object")).anySatisfy(s ->
                assertThat(s).contains("is not passing, warning or critical"));
    }

    @Test
    void anotherServicesEntryIsRejected() throws Exception {
        String other = entry("n1", "a", "\"10.0.2.1\"", "80", passing("a")).replace("\"Service\": \"web\"",
                "\"Service\": \"db\"");
        HealthEntries.Result r = parse("[" + other + "]");
        assertThat(r.backends()).isEmpty();
        assertThat(r.rejections()).singleElement().extracting(HealthEntries.Rejection::reason).asString()
                .contains("not the service asked for");
    }

    @Test
    void overMaxBackendsTheExtraAreRejectedInAStableOrder() throws Exception {
        StringBuilder json = new StringBuilder("[");
        for (int i = 20; i > 0; i--) {
            json.append(i < 20 ? "," : "").append(entry("n" + i, "s" + i, "\"10.0.3." + i + "\"", "80",
                    passing("s" + i)));
        }
        HealthEntries.Result r = parse(json + "]");
        assertThat(r.backends()).hasSize(WEB.maxBackends());
        assertThat(r.rejections()).hasSize(12).allSatisfy(x -> assertThat(x.reason()).contains("max_backends"));
        HealthEntries.Result again = parse(json + "]");
        assertThat(again.backends()).isEqualTo(r.backends());
    }

    @Test
    void anAnswerThatIsNoListIsRefusedWhole() {
        assertThatThrownBy(() -> parse("{\"not\": \"a list\"}")).isInstanceOf(HealthEntries.MalformedAnswer.class);
        assertThatThrownBy(() -> parse("[{]")).isInstanceOf(HealthEntries.MalformedAnswer.class);
        assertThatThrownBy(() -> parse("[".repeat(100) + "]".repeat(100)))
                .isInstanceOf(HealthEntries.MalformedAnswer.class);
    }

    @Test
    void anEmptyListMeansNoBackends() throws Exception {
        assertThat(parse("[]").backends()).isEmpty();
    }
}
