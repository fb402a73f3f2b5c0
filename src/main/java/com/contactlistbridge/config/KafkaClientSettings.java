package com.contactlistbridge.config;

import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;

/**
 * The Kafka address and security settings of the bridge, for its own plain Kafka clients (health check, processed
 * events), so they connect exactly like the Camel Kafka endpoints do.
 */
public final class KafkaClientSettings {

    private KafkaClientSettings() {
    }

    /**
     * bootstrap.servers plus every security.*, sasl.*, ssl.* and config.providers* setting the Kafka component was
     * given (config providers resolve ${file:...} secrets).
     */
    public static Properties of(CamelContext context, String bootstrapServers) {
        Properties properties = new Properties();
        context.getComponent("kafka", KafkaComponent.class).getConfiguration().createConsumerProperties()
                .forEach((key, value) -> {
                    String name = key.toString();
                    if (value != null && (name.startsWith("security.") || name.startsWith("sasl.")
                            || name.startsWith("ssl.") || name.startsWith("config.providers"))) {
                        properties.put(name, value);
                    }
                });
        properties.put("bootstrap.servers", bootstrapServers);
        return properties;
    }
}
