package com.contactlistbridge.ops;

import java.util.Map;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.health.HealthCheckResultStrategy;

/**
 * Keeps broker addresses and exception texts out of health answers unless {@code management.health-details} is on.
 *
 * <p>Camel's management server hands out a check's error (with its stack trace) and details to any caller that asks
 * ({@code ?exposureLevel=full&stackTrace=true&data=true}), so the answer itself must not carry them: Camel applies this
 * strategy to every check's result before it is reported. The bridge's own checks (group {@value #BRIDGE_GROUP}) keep
 * their messages, which are fixed texts; other checks' messages may quote an exception (camel-kafka's consumer check
 * does) and are dropped.
 */
public class HealthDetailsPolicy implements HealthCheckResultStrategy {

    public static final String BRIDGE_GROUP = "bridge";
    /** Detail keys whose values name hosts: the Kafka clients' bootstrap servers. */
    static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    static final String HIDDEN = "(hidden; management.health-details=true shows it)";

    private final boolean showDetails;

    public HealthDetailsPolicy(boolean showDetails) {
        this.showDetails = showDetails;
    }

    @Override
    public void processResult(HealthCheck check, Map<String, Object> options, HealthCheckResultBuilder builder) {
        if (showDetails) {
            return;
        }
        builder.error(null);
        if (builder.detail(BOOTSTRAP_SERVERS) != null) {
            builder.detail(BOOTSTRAP_SERVERS, HIDDEN);
        }
        if (!BRIDGE_GROUP.equals(check.getGroup())) {
            builder.message(null);
        }
    }
}
