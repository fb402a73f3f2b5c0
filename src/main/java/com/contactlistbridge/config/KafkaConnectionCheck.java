package com.contactlistbridge.config;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the start-up with a message naming the setting to fix when Kafka refuses the bridge's credentials or TLS, or
 * the security settings cannot even make a client, instead of the metadata timeouts every client would run into.
 *
 * <p>It checks secured configurations only (a PLAINTEXT client has no credentials to refuse), once, before any other
 * client of the bridge connects. A cluster that does not answer in time is not a configuration error (it may be
 * starting too): that is logged with a hint, and the start goes on.
 */
public final class KafkaConnectionCheck {

    static final String CLIENT_ID = "contact-list-bridge-startup-check";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaConnectionCheck.class);

    private KafkaConnectionCheck() {
    }

    /**
     * @throws InvalidSettingsException if the Kafka security settings are wrong
     */
    public static void verify(KafkaClientSettings kafka, Duration timeout) {
        if (kafka.securityProtocol().equals("PLAINTEXT")) {
            return;
        }
        Properties config = kafka.forClients("the start-up check (" + CLIENT_ID + ")");
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        Admin admin;
        try {
            admin = Admin.create(config);
        } catch (KafkaException e) {
            // Bad settings fail here, before any connection: no KafkaClient JAAS section, an unreadable key store,
            // a config provider that cannot read its file.
            throw new InvalidSettingsException(List.of(KafkaClientSettings.mask("camel.component.kafka.security-"
                    + "protocol: the Kafka client settings (security.protocol=" + kafka.securityProtocol()
                    + ") cannot be used: " + KafkaClientSettings.rootMessage(e) + ". Check the camel.component.kafka."
                    + "sasl-*, ssl-* and additional-properties[config.providers*] settings", config)));
        }
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis())).nodes()
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            KafkaClientSettings.securityProblem(e.getCause(), config).ifPresentOrElse(problem -> {
                throw new InvalidSettingsException(List.of(problem));
            }, () -> warnNoAnswer(kafka, timeout, e.getCause()));
        } catch (TimeoutException e) {
            warnNoAnswer(kafka, timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the connection to Kafka", e);
        } finally {
            admin.close(Duration.ofSeconds(2));
        }
    }

    private static void warnNoAnswer(KafkaClientSettings kafka, Duration timeout, Throwable failure) {
        LOG.warn("Kafka at {} did not answer within {} s with security.protocol={} ({}). If that is not a broker "
                + "being unavailable, check kafka.brokers (the listener for {}) and camel.component.kafka.security-"
                + "protocol", kafka.bootstrapServers(), timeout.toSeconds(), kafka.securityProtocol(),
                KafkaClientSettings.rootMessage(failure), kafka.securityProtocol());
    }
}
