package io.sluice.lb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.lb.admin.AdminJson;
import io.sluice.lb.config.ConfigException;
import io.sluice.lb.config.ConfigLoader;
import io.sluice.lb.config.ConsulConfig;
import io.sluice.lb.config.SluiceConfig;
import io.sluice.lb.config.VipConfig;
import io.sluice.lb.consul.AgentAddress;
import io.sluice.lb.consul.ConsulClient;
import io.sluice.lb.consul.ConsulException;
import io.sluice.lb.consul.TokenFile;
import io.sluice.lb.fleet.FleetAgreement;
import io.sluice.lb.fleet.FleetInstance;
import io.sluice.lb.fleet.FleetInstances;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice fleet check}: do the LB hosts that register a VIP in Consul hold the same table? */
@Command(name = "fleet", description = "Look at the whole fleet of LB hosts through Consul.",
        subcommands = {FleetCommand.Check.class, CommandLine.HelpCommand.class})
final class FleetCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw Api.usage(spec, "a subcommand is required");
    }

    @Command(name = "check", description = {
        "Compare the table fingerprints of every LB host that registers the VIPs' Consul services,",
        "and name the hosts that disagree with the majority.",
        "Exit 0 when every host of every VIP agrees, 1 when any disagrees (or none is registered),",
        "3 when Consul cannot be asked."})
    static final class Check implements Callable<Integer> {
        private static final String DEFAULT_CONFIG = "/etc/sluice/sluice.yaml";

        @Spec
        private CommandSpec spec;

        @Option(names = "--consul", paramLabel = "URL", description = {"A Consul agent's HTTP address (default: "
                + "config consul.address, else env " + AgentAddress.ENV + ", else http://127.0.0.1:8500)."})
        private URI consul;

        @Option(names = "--service", paramLabel = "NAME", description = {"A Consul service the VIPs register as "
                + "(repeat for more; default: every consul.service of the config's VIPs)."})
        private List<String> services;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = {"The sluiced config to take the "
                + "services, agent and token from (default " + DEFAULT_CONFIG + " when no --service is given)."})
        private Path config;

        @Option(names = "--token-file", paramLabel = "FILE",
                description = "The Consul ACL token (default: config consul.token_file).")
        private Path tokenFile;

        @Option(names = "--json", description = "Print the comparison as JSON, for scripts.")
        private boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Optional<SluiceConfig> file;
            try {
                file = readConfig();
            } catch (ConfigException e) {
                err.println(config + ": invalid");
                err.println(e.getMessage());
                return SluiceCli.EXIT_PROBLEM;
            }
            ConsulConfig settings = file.map(SluiceConfig::consul).orElse(ConsulConfig.DEFAULTS);
            Set<String> wanted = new LinkedHashSet<>(services == null ? List.of() : services);
            if (wanted.isEmpty()) {
                file.ifPresent(c -> c.vips().stream().map(VipConfig::consul).flatMap(Optional::stream)
                        .forEach(r -> wanted.add(r.service())));
            }
            if (wanted.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no service to check: give --service NAME"
                        + " or a config whose VIPs register in Consul (consul.service)");
            }
            ConsulClient client;
            try {
                URI agent = consul != null ? consul : AgentAddress.resolve(settings, System.getenv());
                Optional<String> token = TokenFile.read(tokenFile != null ? Optional.of(tokenFile)
                        : settings.tokenFile());
                client = new ConsulClient(agent, token, settings.maxResponseBytes());
            } catch (IOException | IllegalArgumentException e) {
                err.println("cannot ask Consul: " + e.getMessage());
                return SluiceCli.EXIT_UNREACHABLE;
            }
            List<FleetInstance> instances = new ArrayList<>();
            FleetInstances catalog = new FleetInstances(client);
            for (String service : wanted) {
                try {
                    instances.addAll(catalog.of(service));
                } catch (ConsulException | IllegalStateException e) {
                    err.println("cannot read service " + service + " from Consul at " + client.base() + ": "
                            + e.getMessage());
                    return SluiceCli.EXIT_UNREACHABLE;
                }
            }
            List<FleetAgreement> agreements = FleetAgreement.of(instances);
            List<String> unregistered = wanted.stream()
                    .filter(s -> instances.stream().noneMatch(i -> i.service().equals(s))).toList();
            if (json) {
                out.println(AdminJson.write(toJson(agreements, unregistered)));
            } else {
                print(out, agreements, unregistered);
            }
            boolean agree = unregistered.isEmpty() && agreements.stream().allMatch(FleetAgreement::allAgree);
            return agree ? SluiceCli.EXIT_OK : SluiceCli.EXIT_PROBLEM;
        }

        private Optional<SluiceConfig> readConfig() throws ConfigException {
            if (config != null) {
                return Optional.of(ConfigLoader.load(config));
            }
            if (services == null || services.isEmpty()) {
                config = Path.of(DEFAULT_CONFIG);
                return Optional.of(ConfigLoader.load(config));
            }
            return Optional.empty();
        }

        private static void print(PrintWriter out, List<FleetAgreement> agreements, List<String> unregistered) {
            if (!agreements.isEmpty()) {
                Table table = new Table("SERVICE", "VIP", "HOST", "NODE", "CHECK", "FINGERPRINT", "AGREES");
                for (FleetAgreement a : agreements) {
                    a.agreeing().forEach(i -> table.row(i.service(), i.vip(), i.host(), i.node(), i.check(),
                            i.fingerprint(), "yes"));
                    a.disagreeing().forEach(i -> table.row(i.service(), i.vip(), i.host(), i.node(), i.check(),
                            i.fingerprint(), "NO"));
                }
                table.print(out, "");
                out.println();
            }
            for (FleetAgreement a : agreements) {
                int hosts = a.agreeing().size() + a.disagreeing().size();
                if (a.allAgree()) {
                    out.printf("%s/%s: all %d hosts agree on %s%n", a.service(), a.vip(), hosts, a.majority());
                } else if (a.majority() == null) {
                    out.printf("%s/%s: DISAGREE, no majority among %d hosts: %s%n", a.service(), a.vip(), hosts,
                            hosts(a.disagreeing()));
                } else {
                    out.printf("%s/%s: DISAGREE, %d of %d hosts differ from the majority %s: %s%n", a.service(),
                            a.vip(), a.disagreeing().size(), hosts, a.majority(), hosts(a.disagreeing()));
                }
            }
            for (String service : unregistered) {
                out.printf("%s: no LB host registers it in Consul%n", service);
            }
        }

        private static String hosts(List<FleetInstance> instances) {
            return String.join(", ", instances.stream().map(i -> i.host()
                    + (i.fingerprint() == null ? " (no fingerprint)" : "")).toList());
        }

        private static void hostJson(ArrayNode hosts, FleetInstance i, boolean agrees) {
            hosts.addObject().put("host", i.host()).put("node", i.node()).put("service_id", i.serviceId())
                    .put("check", i.check()).put("fingerprint", i.fingerprint()).put("agrees", agrees);
        }

        private static ObjectNode toJson(List<FleetAgreement> agreements, List<String> unregistered) {
            JsonNodeFactory f = JsonNodeFactory.instance;
            ObjectNode root = f.objectNode();
            root.put("all_agree", unregistered.isEmpty() && agreements.stream().allMatch(FleetAgreement::allAgree));
            ArrayNode vips = root.putArray("vips");
            for (FleetAgreement a : agreements) {
                ObjectNode v = vips.addObject().put("service", a.service()).put("vip", a.vip())
                        .put("majority", a.majority()).put("all_agree", a.allAgree());
                ArrayNode hosts = v.putArray("hosts");
                a.agreeing().forEach(i -> hostJson(hosts, i, true));
                a.disagreeing().forEach(i -> hostJson(hosts, i, false));
            }
            unregistered.forEach(root.putArray("unregistered_services")::add);
            return root;
        }
    }
}
