package io.sluice.lb.fleet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the hosts that register one VIP (one Consul service, one sluice_vip) hold the same table.
 *
 * <p>The majority fingerprint is the one most hosts report. With a tie there is none and every host
 * disagrees: nothing says which side is right. A host without a fingerprint always disagrees (it
 * cannot be shown to forward alike) and never makes a majority.
 *
 * @param majority    the fingerprint most hosts hold, or null (a tie, or no host reports one)
 * @param agreeing    instances holding the majority's fingerprint
 * @param disagreeing every other instance
 */
public record FleetAgreement(String service, String vip, String majority, List<FleetInstance> agreeing,
                             List<FleetInstance> disagreeing) {
    public FleetAgreement {
        agreeing = List.copyOf(agreeing);
        disagreeing = List.copyOf(disagreeing);
    }

    public boolean allAgree() {
        return disagreeing.isEmpty() && !agreeing.isEmpty();
    }

    /** One agreement per (service, VIP), in the order first met; instances sorted by host. */
    public static List<FleetAgreement> of(List<FleetInstance> instances) {
        Map<List<String>, List<FleetInstance>> byVip = new LinkedHashMap<>();
        for (FleetInstance i : instances) {
            byVip.computeIfAbsent(List.of(i.service(), i.vip()), k -> new ArrayList<>()).add(i);
        }
        List<FleetAgreement> out = new ArrayList<>();
        byVip.forEach((key, group) -> out.add(judge(key.get(0), key.get(1), group)));
        return out;
    }

    private static FleetAgreement judge(String service, String vip, List<FleetInstance> group) {
        Map<String, Integer> counts = new HashMap<>();
        for (FleetInstance i : group) {
            if (i.fingerprint() != null) {
                counts.merge(i.fingerprint(), 1, Integer::sum);
            }
        }
        int top = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        List<String> leaders = counts.entrySet().stream().filter(e -> e.getValue() == top).map(Map.Entry::getKey)
                .toList();
        String majority = leaders.size() == 1 ? leaders.get(0) : null;
        List<FleetInstance> agreeing = new ArrayList<>();
        List<FleetInstance> disagreeing = new ArrayList<>();
        for (FleetInstance i : group.stream().sorted(Comparator.comparing(FleetInstance::host)
                .thenComparing(FleetInstance::serviceId)).toList()) {
            (majority != null && majority.equals(i.fingerprint()) ? agreeing : disagreeing).add(i);
        }
        return new FleetAgreement(service, vip, majority, agreeing, disagreeing);
    }
}
