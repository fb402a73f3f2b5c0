package com.contactlistbridge.ops;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import com.contactlistbridge.kore.ProcessedEvents;

/**
 * Readiness: DOWN while the processed-events reader does not follow its topic (it restarts by itself). An instance
 * that does not see the lists other instances created could create them again after a rebalance, so it should not
 * take traffic; restarting the process would not help, hence not a liveness check.
 */
public class ProcessedEventsHealthCheck extends AbstractHealthCheck {

    private final ProcessedEvents processedEvents;

    public ProcessedEventsHealthCheck(ProcessedEvents processedEvents) {
        super(HealthDetailsPolicy.BRIDGE_GROUP, "processed-events");
        this.processedEvents = processedEvents;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("remembered", processedEvents.size());
        if (processedEvents.isFollowing()) {
            builder.up();
        } else {
            builder.message("not following the processed-events topic (starting, or restarting after a failure)");
            builder.down();
        }
    }
}
