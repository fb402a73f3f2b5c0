package com.contactlistbridge.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Readiness: DOWN when no Kafka broker answers.
 *
 * <p>camel-kafka's own consumer check stays UP while the broker is gone (the consumer just keeps polling), so this
 * check asks the cluster itself, at most once per cache period so that frequent probes cost nothing. Not a liveness
 * check: restarting the bridge does not bring a broker back, and an orchestrator would restart every instance at once.
 * The message is a fixed text; the failure and the broker addresses go into the result's error and details, which
 * {@link HealthDetailsPolicy} shows only when operators turn details on.
 */
public class KafkaBrokerHealthCheck extends AbstractHealthCheck {

    private final Supplier<Properties> clientConfig;
    private final Duration timeout;
    private final Duration cachePeriod;
    private final Clock clock;
    private Properties adminConfig;
    private Admin admin;
    private Instant checkedAt = Instant.MIN;
    private Exception lastError;
    private int lastNodes;

    /**
     * @param clientConfig the Kafka client settings of the bridge (bootstrap servers and security), read at the first
     *                     probe, when the Kafka component is configured
     */
    public KafkaBrokerHealthCheck(Supplier<Properties> clientConfig, Duration timeout, Duration cachePeriod,
                                  Clock clock) {
        super(HealthDetailsPolicy.BRIDGE_GROUP, "kafka-broker");
        this.clientConfig = clientConfig;
        this.timeout = timeout;
        this.cachePeriod = cachePeriod;
        this.clock = clock;
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
    protected synchronized void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Instant now = clock.instant();
        if (Duration.between(checkedAt, now).compareTo(cachePeriod) >= 0) {
            probe();
            checkedAt = clock.instant();
        }
        if (adminConfig != null) {
            builder.detail(HealthDetailsPolicy.BOOTSTRAP_SERVERS,
                    adminConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
        }
        if (lastError == null) {
            builder.detail("nodes", lastNodes);
            builder.up();
        } else {
            builder.message("Kafka broker unreachable");
            builder.error(lastError);
            builder.down();
        }
    }

    private void probe() {
        try {
            if (admin == null) {
                adminConfig = adminConfig();
                admin = Admin.create(adminConfig);
            }
            lastNodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS).size();
            lastError = lastNodes > 0 ? null : new IllegalStateException("the cluster reports no nodes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lastError = e;
        } catch (ExecutionException e) {
            lastError = e.getCause() instanceof Exception cause ? cause : e;
        } catch (Exception e) {
            lastError = e;
        }
    }

    private Properties adminConfig() {
        Properties config = new Properties();
        config.putAll(clientConfig.get());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "contact-list-bridge-health");
        return config;
    }

    /** Releases the admin client (called when the CamelContext stops). */
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }
}
