package io.sluice.lb.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.cli.SluiceCli;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.ConsulRegistration;
import io.sluice.lb.config.SluiceConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice fleet check} against the agent double (or a real agent, SLUICE_CONSUL_ADDR) holding the
 * registrations of several LB hosts, each made exactly as sluiced makes it (VipRegistration). The
 * double has one node, so each "host" registers under its own service ID, as instances on separate
 * nodes would be told apart.
 */
class FleetCheckTest {
    private final String run = Long.toString(System.nanoTime() % 1_000_000, 36);
    private final String svc = "sluicetest-fleet-" + run;
    private final List<String> ids = new ArrayList<>();
    private ConsulTarget target;
    private ConsulClient client;

    @TempDir
    Path dir;

    @BeforeEach
    void open() throws Exception {
        target = ConsulTarget.open();
        client = new ConsulClient(target.address(), target.token(), 1 << 20);
    }

    @AfterEach
    void close() {
        for (String id : ids) {
            try {
                client.deregister(id);
            } catch (ConsulException e) {
                // already gone
            }
        }
        target.close();
    }

    private record Run(int exit, String out, String err) {
    }

    private Run check(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SluiceCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("fleet", "check"));
        all.addAll(List.of(args));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** One LB host's registration of a VIP, body as sluiced sends it. */
    private void host(String host, String vip, String service, String fingerprint) throws Exception {
        SluiceConfig config = ConfigLoader.parse("""
                interface: eth0
                gateway_mac: "02:00:00:00:00:01"
                encap: {source_v4: 172.16.0.0/16}
                vips:
                  - name: %s
                    address: 10.100.0.1
                    port: 80
                    consul: {service: %s}
                    backends: [{address: 10.0.2.1}]
                """.formatted(vip, service));
        VipRegistration r = VipRegistration.of(config.vips().get(0), new ConsulRegistration(service, List.of()),
                Duration.ofMinutes(5), Duration.ofMinutes(10), host, "9.9.9");
        if (fingerprint != null) {
            r = r.withFingerprint(fingerprint);
        }
        ObjectNode body = r.body(true);
        String id = r.serviceId() + "@" + host;
        body.put("ID", id);
        ((ObjectNode) body.get("Check")).put("CheckID", id + "-dataplane");
        client.register(body);
        ids.add(id);
    }

    @Test
    void allHostsAgreeExitsZero() throws Exception {
        host("lb1", "web", svc, "00112233aabbccdd");
        host("lb2", "web", svc, "00112233aabbccdd");
        host("lb3", "web", svc, "00112233aabbccdd");

        Run r = check("--consul", target.address().toString(), "--service", svc);

        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).contains("HOST", "FINGERPRINT", "lb1", "lb2", "lb3")
                .contains(svc + "/web: all 3 hosts agree on 00112233aabbccdd").doesNotContain("DISAGREE");
    }

    @Test
    void aHostFedOtherConfigIsNamedAndExitsOne() throws Exception {
        host("lb1", "web", svc, "00112233aabbccdd");
        host("lb2", "web", svc, "99887766ffeeddcc");
        host("lb3", "web", svc, "00112233aabbccdd");
        host("lb4", "web", svc, null);

        Run r = check("--consul", target.address().toString(), "--service", svc);

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).containsPattern("lb2\\s+\\S+\\s+passing\\s+99887766ffeeddcc\\s+NO")
                .containsPattern("lb1\\s+\\S+\\s+passing\\s+00112233aabbccdd\\s+yes")
                .contains(svc + "/web: DISAGREE, 2 of 4 hosts differ from the majority 00112233aabbccdd: "
                        + "lb2, lb4 (no fingerprint)");

        JsonNode json = new ObjectMapper().readTree(check("--consul", target.address().toString(), "--service", svc,
                "--json").out);
        assertThat(json.path("all_agree").asBoolean()).isFalse();
        JsonNode web = json.path("vips").get(0);
        assertThat(web.path("majority").asText()).isEqualTo("00112233aabbccdd");
        List<String> disagreeing = new ArrayList<>();
        web.path("hosts").forEach(h -> {
            if (!h.path("agrees").asBoolean()) {
                disagreeing.add(h.path("host").asText());
            }
        });
        assertThat(disagreeing).containsExactly("lb2", "lb4");
    }

    @Test
    void theServicesComeFromTheConfigAndEachVipIsComparedOnItsOwn() throws Exception {
        String dns = svc + "-dns";
        host("lb1", "web", svc, "00112233aabbccdd");
        host("lb2", "web", svc, "00112233aabbccdd");
        host("lb1", "dns", dns, "1111111111111111");
        host("lb2", "dns", dns, "2222222222222222");
        Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, """
                interface: eth0
                gateway_mac: "02:00:00:00:00:01"
                encap: {source_v4: 172.16.0.0/16}
                consul: {address: "%s"}
                vips:
                  - {name: web, address: 10.100.0.1, port: 80, consul: {service: %s}, backends: [{address: 10.0.2.1}]}
                  - {name: dns, address: 10.100.0.53, port: 53, protocol: udp, consul: {service: %s},
                     backends: [{address: 10.0.3.1}]}
                """.formatted(target.address(), svc, dns));

        Run r = check("--config", config.toString());

        assertThat(r.exit).as(r.err).isEqualTo(1);
        assertThat(r.out).contains(svc + "/web: all 2 hosts agree on 00112233aabbccdd")
                .contains(dns + "/dns: DISAGREE, no majority among 2 hosts: lb1, lb2");
    }

    @Test
    void aServiceNoHostRegistersIsAProblem() {
        Run r = check("--consul", target.address().toString(), "--service", svc + "-nobody");

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).contains(svc + "-nobody: no LB host registers it in Consul");
    }

    @Test
    void anUnreachableAgentExitsThree() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Run r = check("--consul", "http://127.0.0.1:" + port, "--service", svc);

        assertThat(r.exit).isEqualTo(3);
        assertThat(r.err).contains("cannot read service " + svc, "127.0.0.1:" + port);
    }

    @Test
    void aHostileAnswerIsRefusedWithItsReasonAndExitsThree() {
        assumeTrue(target.isDouble(), "the double serves the hostile bytes");
        target.agentDouble().rawHealthAnswer(svc, "{\"not\": \"a list\"}");

        Run r = check("--consul", target.address().toString(), "--service", svc);

        assertThat(r.exit).isEqualTo(3);
        assertThat(r.err).contains("expected a JSON list of service entries");
    }

    @Test
    void noServiceAtAllIsABadCommandLine() throws Exception {
        Path config = dir.resolve("plain.yaml");
        Files.writeString(config, """
                interface: eth0
                gateway_mac: "02:00:00:00:00:01"
                encap: {source_v4: 172.16.0.0/16}
                vips:
                  - {name: web, address: 10.100.0.1, port: 80, backends: [{address: 10.0.2.1}]}
                """);

        Run r = check("--config", config.toString());

        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("no service to check");
    }
}
