package io.sluice.health;

import io.sluice.health.check.CheckSpec;

/** What makes two watches the same check: target plus spec (initial state aside). */
record CheckKey(Target target, CheckSpec spec) {
    static CheckKey of(Target target, CheckSpec spec) {
        return new CheckKey(target, spec.sharingIdentity());
    }
}
