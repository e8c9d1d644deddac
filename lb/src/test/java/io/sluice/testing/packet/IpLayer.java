package io.sluice.testing.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

/**
 * One IP header of an encapsulated frame, IPv4 or IPv6 (its version says which): the destination,
 * the protocol it carries and where its payload starts, so a test can walk the layers the
 * balancer wrote. An IPv4 header's checksum is asserted on the way.
 */
public record IpLayer(InetAddress dst, int protocol, int payloadOffset) {

    public static IpLayer at(byte[] frame, int offset) {
        int version = (frame[offset] & 0xff) >>> 4;
        if (version == 4) {
            Ipv4Header h = Ipv4Header.parse(frame, offset);
            assertThat(h.checksumValid()).as("IPv4 header checksum at %d", offset).isTrue();
            return new IpLayer(h.dst(), h.protocol(), h.payloadOffset());
        }
        Ipv6Header h = Ipv6Header.parse(frame, offset);
        return new IpLayer(h.dst(), h.nextHeader(), h.payloadOffset());
    }

    /** The frame's outermost IP header. */
    public static IpLayer outer(byte[] frame) {
        return at(frame, Frame.parse(frame).l3Offset());
    }

    /** The header this one carries. */
    public IpLayer next(byte[] frame) {
        return at(frame, payloadOffset);
    }
}
