package com.contactlistbridge.ops;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Liveness: DOWN while threads of this JVM are deadlocked (monitors or locks), a state only a restart ends. Together
 * with Camel's context check it is all that liveness asks: nothing outside the process (Kafka, Kore.ai) can fail it.
 */
public class DeadlockHealthCheck extends AbstractHealthCheck {

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    public DeadlockHealthCheck() {
        super(HealthDetailsPolicy.BRIDGE_GROUP, "deadlock");
    }

    @Override
    public boolean isLiveness() {
        return true;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        long[] deadlocked = threads.findDeadlockedThreads();
        if (deadlocked == null) {
            builder.up();
        } else {
            builder.message(deadlocked.length + " threads are deadlocked (a thread dump shows which)");
            builder.down();
        }
    }
}
