package io.sluice.lb.dataplane;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * struct sluice_dos_vip: a VIP's DoS settings in {@code dos_vips} (indexed by vip id): its new-flow
 * ceiling, whether fragments pass to the host, and up to DOS_VIP_PORTS UDP source ports it accepts
 * although they are on the reflection list.
 */
public record DosVipEntry(DosRate newFlows, boolean passFragments, List<Integer> reflectionPorts) {

    public static final int SIZE = 40;
    public static final int OFFSET_NEW_FLOWS = 0;
    public static final int OFFSET_FLAGS = 24;
    public static final int OFFSET_REFLECTION_PORTS = 28;
    public static final int OFFSET_PAD = 36;

    public static final DosVipEntry DEFAULT = new DosVipEntry(DosRate.NONE, false, List.of());

    public DosVipEntry {
        reflectionPorts = List.copyOf(reflectionPorts);
        if (reflectionPorts.size() > DosAbi.DOS_VIP_PORTS) {
            throw new IllegalArgumentException("at most " + DosAbi.DOS_VIP_PORTS + " reflection ports per VIP, got "
                    + reflectionPorts.size());
        }
        for (int port : reflectionPorts) {
            if (port < 1 || port > 0xffff) {
                throw new IllegalArgumentException("port out of range 1..65535: " + port);
            }
        }
    }

    public byte[] encode() {
        ByteBuffer b = Codec.hostOrder(SIZE);
        newFlows.put(b, OFFSET_NEW_FLOWS);
        b.putInt(OFFSET_FLAGS, passFragments ? DosAbi.DOS_VIP_F_PASS_FRAGMENTS : 0);
        for (int i = 0; i < reflectionPorts.size(); i++) {
            Codec.putPort(b, OFFSET_REFLECTION_PORTS + i * Short.BYTES, reflectionPorts.get(i));
        }
        return b.array();
    }

    public static DosVipEntry decode(byte[] bytes) {
        ByteBuffer b = Codec.wrap(bytes, SIZE, "struct sluice_dos_vip");
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < DosAbi.DOS_VIP_PORTS; i++) {
            int port = Codec.getPort(b, OFFSET_REFLECTION_PORTS + i * Short.BYTES);
            if (port != 0) {
                ports.add(port);
            }
        }
        return new DosVipEntry(DosRate.get(b, OFFSET_NEW_FLOWS),
                (b.getInt(OFFSET_FLAGS) & DosAbi.DOS_VIP_F_PASS_FRAGMENTS) != 0, ports);
    }
}
