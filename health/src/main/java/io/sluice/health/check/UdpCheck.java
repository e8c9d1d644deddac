package io.sluice.health.check;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Sends one datagram and waits for an answer. Payloads are kept as lowercase hex so the record
 * compares by content (identical checks must be recognised to be shared).
 *
 * @param payloadHex      request datagram, hex
 * @param expectHex       bytes the answer must contain, hex; empty means any answer passes
 */
public record UdpCheck(String payloadHex, String expectHex) implements CheckKind {
    private static final HexFormat HEX = HexFormat.of();

    public UdpCheck {
        payloadHex = canonical(Objects.requireNonNull(payloadHex, "payloadHex"));
        expectHex = expectHex == null ? "" : canonical(expectHex);
    }

    public static UdpCheck text(String payload, String expect) {
        return new UdpCheck(hexOf(payload), expect == null ? "" : hexOf(expect));
    }

    public static UdpCheck hex(String payloadHex, String expectHex) {
        return new UdpCheck(payloadHex, expectHex);
    }

    public byte[] payload() {
        return HEX.parseHex(payloadHex);
    }

    public byte[] expect() {
        return HEX.parseHex(expectHex);
    }

    public boolean anyResponse() {
        return expectHex.isEmpty();
    }

    @Override
    public String name() {
        return "udp";
    }

    private static String hexOf(String text) {
        return HEX.formatHex(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String canonical(String hex) {
        String compact = hex.replaceAll("\\s", "");
        try {
            return HEX.formatHex(HEX.parseHex(compact));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a hex string: '" + hex + "'", e);
        }
    }
}
