package io.sluice.lb.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.lb.net.MacAddress;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads the top level of the YAML tree into a SluiceConfig, collecting every problem on the way. */
final class ConfigReader {
    static final List<String> ROOT_KEYS = List.of(
            "interface", "pin_dir", "xdp_mode", "gateway_mac", "mtu", "flow_table_size", "encap", "vips",
            "status_file", "metrics", "admin", "consul", "dos", "bgp");
    static final List<String> METRICS_KEYS = List.of("listen");
    static final List<String> ENCAP_KEYS = List.of("source_v4", "source_v6");
    static final String AUTO = "auto";

    private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,"
            + ConfigLimits.MAX_INTERFACE_NAME + "}");
    private static final int MAC_MULTICAST_BIT = 0x01;

    private final Problems problems = new Problems();

    /** The config, or empty when problems() has errors. */
    Optional<SluiceConfig> read(JsonNode root) {
        Optional<YamlMapping> top = YamlMapping.open(root, "", problems, ROOT_KEYS);
        if (top.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = top.get();
        Optional<String> interfaceName = m.parsed("interface", true, ConfigReader::interfaceName);
        Optional<Path> pinDir = m.parsed("pin_dir", false, ConfigReader::absolutePath);
        Optional<Path> statusFile = m.parsed("status_file", false, ConfigReader::absolutePath);
        Optional<Optional<InetSocketAddress>> metrics = m.value("metrics").isPresent()
                ? readMetrics(m.value("metrics").get(), m.field("metrics"))
                : Optional.of(Optional.of(new InetSocketAddress(IpLiteral.parse(ConfigLimits.DEFAULT_METRICS_HOST),
                        ConfigLimits.DEFAULT_METRICS_PORT)));
        Optional<XdpMode> xdpMode = m.parsed("xdp_mode", false, ConfigReader::xdpMode);
        Optional<Optional<MacAddress>> gatewayMac = m.parsed("gateway_mac", false, ConfigReader::gatewayMac);
        Optional<Integer> mtu = m.integer("mtu", ConfigLimits.MIN_MTU, ConfigLimits.MAX_MTU, ConfigLimits.DEFAULT_MTU);
        Optional<Integer> flowTableSize = m.integer("flow_table_size", ConfigLimits.MIN_FLOW_TABLE_SIZE,
                ConfigLimits.MAX_FLOW_TABLE_SIZE, ConfigLimits.DEFAULT_FLOW_TABLE_SIZE);
        EncapConfig encap = m.value("encap").map(node -> readEncap(node, m.field("encap"))).orElse(EncapConfig.NONE);
        Optional<AdminConfig> admin = new AdminReader(problems).read(m.value("admin"), m.field("admin"));
        Optional<ConsulConfig> consul = m.value("consul").isPresent()
                ? new ConsulReader(problems).section(m.value("consul").get(), m.field("consul"))
                : Optional.of(ConsulConfig.DEFAULTS);
        List<VipsReader.ReadVip> vips = new VipsReader(problems).read(m);
        Optional<DosConfig> dos = m.value("dos").isPresent()
                ? new DosReader(problems).read(m.value("dos").get(), m.field("dos")) : Optional.of(DosConfig.DEFAULT);
        Optional<BgpConfig> bgp = new BgpReader(problems).read(m.value("bgp"), m.field("bgp"),
                interfaceName.orElse(null));
        new CrossChecks(problems).check(vips, encap);
        consul.flatMap(ConsulConfig::kv).ifPresent(kv -> SharedConfigReader.checkLocalFile(m, kv, problems));
        if (problems.any()) {
            return Optional.empty();
        }
        return Optional.of(new SluiceConfig(interfaceName.orElseThrow(),
                pinDir.orElse(Path.of(ConfigLimits.DEFAULT_PIN_DIR)), xdpMode.orElse(XdpMode.AUTO),
                gatewayMac.orElse(Optional.empty()), mtu.orElseThrow(), flowTableSize.orElseThrow(), encap,
                vips.stream().map(VipsReader.ReadVip::vip).toList(),
                statusFile.orElse(Path.of(ConfigLimits.DEFAULT_STATUS_FILE)), metrics.orElseThrow(), admin.orElseThrow(),
                consul.orElseThrow(), dos.orElseThrow(), bgp.orElseThrow()));
    }

    Problems problems() {
        return problems;
    }

    private EncapConfig readEncap(JsonNode node, String path) {
        Optional<YamlMapping> open = YamlMapping.open(node, path, problems, ENCAP_KEYS);
        if (open.isEmpty()) {
            return EncapConfig.NONE;
        }
        YamlMapping m = open.get();
        Optional<Cidr> v4 = m.parsed("source_v4", false,
                text -> sourcePrefix(text, true, ConfigLimits.MIN_SOURCE_V4_PREFIX));
        Optional<Cidr> v6 = m.parsed("source_v6", false,
                text -> sourcePrefix(text, false, ConfigLimits.MIN_SOURCE_V6_PREFIX));
        return new EncapConfig(v4, v6);
    }

    /** metrics.listen: "host:port", "[v6]:port" or "off"; empty outer Optional = invalid (reported). */
    private Optional<Optional<InetSocketAddress>> readMetrics(JsonNode node, String path) {
        Optional<YamlMapping> open = YamlMapping.open(node, path, problems, METRICS_KEYS);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping m = open.get();
        if (m.value("listen").isEmpty()) {
            return Optional.of(Optional.empty());
        }
        return m.parsed("listen", true, ConfigReader::listenAddress);
    }

    static Optional<InetSocketAddress> listenAddress(String text) {
        if (text.equals("off")) {
            return Optional.empty();
        }
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String port = colon > 0 ? text.substring(colon + 1) : "";
        if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > ConfigLimits.MAX_PORT) {
            throw new IllegalArgumentException("\"" + text + "\" is not an address:port (e.g. 127.0.0.1:9469, [::1]:9469) or off");
        }
        return Optional.of(new InetSocketAddress(IpLiteral.parse(host), Integer.parseInt(port)));
    }

    private static Cidr sourcePrefix(String text, boolean ipv4, int minPrefix) {
        Cidr cidr = Cidr.parse(text);
        if (cidr.isIpv4() != ipv4) {
            throw new IllegalArgumentException("\"" + text + "\" must be an " + (ipv4 ? "IPv4" : "IPv6") + " prefix");
        }
        int maxPrefix = cidr.network().getAddress().length * Byte.SIZE;
        if (cidr.prefixLength() < minPrefix) {
            throw new IllegalArgumentException("prefix length must be in " + minPrefix + ".." + maxPrefix
                    + ", got /" + cidr.prefixLength());
        }
        return cidr;
    }

    static String interfaceName(String text) {
        if (!INTERFACE_NAME.matcher(text).matches() || text.equals(".") || text.equals("..")) {
            throw new IllegalArgumentException("\"" + text + "\" is not an interface name (1.."
                    + ConfigLimits.MAX_INTERFACE_NAME + " characters of A-Z a-z 0-9 _ . -)");
        }
        return text;
    }

    /** An absolute, normalized path (pin_dir, status_file). */
    static Path absolutePath(String text) {
        Path path;
        try {
            path = Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a path: " + e.getReason());
        }
        if (!path.isAbsolute() || !path.normalize().equals(path) || text.contains("/./") || text.contains("/../")) {
            throw new IllegalArgumentException("\"" + text + "\" must be an absolute path without . or .. parts");
        }
        return path;
    }

    private static XdpMode xdpMode(String text) {
        try {
            return XdpMode.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an XDP mode (expected auto, native or generic)");
        }
    }

    private static Optional<MacAddress> gatewayMac(String text) {
        if (text.equalsIgnoreCase(AUTO)) {
            return Optional.empty();
        }
        MacAddress mac;
        try {
            mac = MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a MAC address (expected aa:bb:cc:dd:ee:ff or auto)");
        }
        if (mac.isZero() || (mac.toBytes()[0] & MAC_MULTICAST_BIT) != 0) {
            throw new IllegalArgumentException(mac + " is not a unicast MAC address");
        }
        return Optional.of(mac);
    }
}
