package com.contactlistbridge.routes;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static group membership (Kafka's {@code group.instance.id}) for the bridge's Kafka consumers, one id per flow and
 * process: {@code contact-list-bridge-<flow>-}{@link #process()}, set by the consume-topic template.
 *
 * <p>Why: camel-kafka replaces its Kafka consumer after a failed batch. When that happens while no broker answers, the
 * old member cannot leave the group, and a new dynamic member waits for the group to drop the old one
 * ({@code session.timeout.ms}, 45 s) before it gets partitions. A consumer with the same instance id takes the old
 * member's place at once. Static members do not leave the group when they close, so when the bridge stops, {@link
 * #leaveAll} removes them, and their partitions move to the other instances at once rather than after the session
 * timeout.
 */
public class StaticGroupMembership {

    private static final Logger LOG = LoggerFactory.getLogger(StaticGroupMembership.class);

    /** Host name and a random part: unique per process, also for several bridges on one host. */
    private final String process;
    private final Supplier<Properties> adminConfig;
    /** instance id -> consumer group, of this process's consumers. */
    private final Map<String, String> groups = new ConcurrentHashMap<>();

    /** @param adminConfig the bridge's Kafka client settings (address and security), read when the bridge stops */
    public StaticGroupMembership(Supplier<Properties> adminConfig) {
        // At most 64 + 9 characters: the flow's name and this fit Kafka's 249 with room to spare.
        this(hostName().substring(0, Math.min(64, hostName().length())) + "-"
                + UUID.randomUUID().toString().substring(0, 8), adminConfig);
    }

    StaticGroupMembership(String process, Supplier<Properties> adminConfig) {
        this.process = legal(process);
        this.adminConfig = adminConfig;
    }

    /** This process's part of every instance id: host name and a random part, as Kafka allows them. */
    public String process() {
        return process;
    }

    /**
     * Notes the static members of the context's Kafka consumers (once its routes are started; the context forgets its
     * endpoints when it stops).
     */
    public void noteMembers(CamelContext context) {
        for (Endpoint endpoint : context.getEndpoints()) {
            if (endpoint instanceof KafkaEndpoint kafka && kafka.getConfiguration().getGroupInstanceId() != null
                    && kafka.getConfiguration().getGroupInstanceId().endsWith(process)) {
                groups.put(kafka.getConfiguration().getGroupInstanceId(), kafka.getConfiguration().getGroupId());
            }
        }
    }

    /**
     * Removes this process's static members from their groups (after the routes stopped): the partitions move to the
     * other instances at once. A failure (no broker answering) is logged; the group then drops the members after
     * {@code session.timeout.ms}.
     */
    public void leaveAll(Duration timeout) {
        if (groups.isEmpty()) {
            return;
        }
        Properties config = new Properties();
        config.putAll(adminConfig.get());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "contact-list-bridge-leave");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(config)) {
            groups.forEach((instanceId, group) -> leave(admin, group, instanceId, timeout));
        }
    }

    private static void leave(Admin admin, String group, String instanceId, Duration timeout) {
        try {
            admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(
                    List.of(new MemberToRemove(instanceId)))).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("Left consumer group {} (group.instance.id {})", group, instanceId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.warn("Could not leave consumer group {} (group.instance.id {}): {}; its partitions move to other "
                    + "instances after session.timeout.ms", group, instanceId, cause.toString());
        }
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "host";
            }
        }
        return host;
    }

    /** Kafka allows letters, digits, '.', '_' and '-' in a group.instance.id, at most 249 characters. */
    static String legal(String id) {
        String legal = id.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        return legal.length() <= 249 ? legal : legal.substring(legal.length() - 249);
    }
}
