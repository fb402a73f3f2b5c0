package com.contactlistbridge.config;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import com.contactlistbridge.event.AddContactsRequestMapper;
import com.contactlistbridge.event.ContactListRequestMapper;
import com.contactlistbridge.event.CrmEventParser;
import com.contactlistbridge.event.EventIdResolver;
import com.contactlistbridge.kore.JwtSigner;
import com.contactlistbridge.kore.KoreErrorClassifier;
import com.contactlistbridge.kore.KoreListNames;
import com.contactlistbridge.kore.KoreOutagePolicy;
import com.contactlistbridge.kore.KoreRateLimitGate;
import com.contactlistbridge.kore.KoreRequestFactory;
import com.contactlistbridge.kore.KoreResponseParser;
import com.contactlistbridge.kore.KoreRetryPolicy;
import com.contactlistbridge.kore.SecretRedactor;
import com.contactlistbridge.kore.KoreUnavailableException;
import com.contactlistbridge.kore.ProcessedEvents;
import com.contactlistbridge.ops.BridgeMetrics;
import com.contactlistbridge.ops.DeadlockHealthCheck;
import com.contactlistbridge.ops.HealthDetailsPolicy;
import com.contactlistbridge.ops.KafkaBrokerHealthCheck;
import com.contactlistbridge.ops.ProcessedEventsHealthCheck;
import com.contactlistbridge.ops.LogRedaction;
import com.contactlistbridge.routes.ConsumeTopicTemplate;
import com.contactlistbridge.routes.EventLocks;
import com.contactlistbridge.routes.KoreCallSlots;
import com.contactlistbridge.routes.FlowChecks;
import com.contactlistbridge.routes.ProcessedCalls;
import com.contactlistbridge.routes.RecordBatches;
import com.contactlistbridge.routes.StaticGroupMembership;
import com.contactlistbridge.routes.OutcomeRecords;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.LoggingLevel;
import org.apache.camel.NamedNode;
import org.apache.camel.builder.ThreadPoolBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.throttling.ThrottlingExceptionRoutePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Wires every bean the routes call by name, from settings validated first: a bad configuration stops the start
 * before any route runs, with one message naming every problem.
 */
public class BridgeConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeConfiguration.class);
    /** How long the start-up waits for a secured Kafka cluster to accept or refuse the credentials. */
    private static final Duration KAFKA_CHECK_TIMEOUT = Duration.ofSeconds(10);
    /** How long the start-up waits for the topics' max.message.bytes (see ProducerBatchLimit). */
    private static final Duration TOPIC_LIMITS_TIMEOUT = Duration.ofSeconds(5);
    /** The bridge's kinds of Kafka clients, as the start-up log names them. */
    private static final String ROUTE_CLIENTS = "the routes (camel-kafka endpoints)";
    private static final String STORE_CLIENTS =
            "the processed-events store (contact-list-bridge-processed-reader/-writer)";
    private static final String HEALTH_CLIENTS = "the health check (contact-list-bridge-health)";
    private static final String LEAVE_CLIENTS = "the consumer group leave at shutdown (contact-list-bridge-leave)";
    /** How long a stopping bridge tries to take its consumers out of their groups. */
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(5);

    @Override
    public void configure(CamelContext context) {
        BridgeSettings settings = BridgeSettings.load(key -> context.getPropertiesComponent().resolveProperty(key));
        Clock clock = Clock.systemUTC();
        ObjectMapper mapper = new ObjectMapper();
        SecretRedactor redactor = new SecretRedactor(settings.clientSecret(), settings.errorMessageMaxLength());
        KoreErrorClassifier classifier = new KoreErrorClassifier(redactor);
        EventIdResolver eventIdResolver = new EventIdResolver();

        // From here on, no log line can show the secret, whichever library writes it.
        LogRedaction.register(settings.clientSecret());

        Registry registry = context.getRegistry();
        // Operations: one Prometheus registry shared with camel-micrometer, whichever of the two creates it first.
        MeterRegistry meterRegistry = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        if (meterRegistry == null) {
            meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meterRegistry);
        }
        BridgeMetrics metrics = new BridgeMetrics(meterRegistry);
        registry.bind("bridgeMetrics", metrics);
        context.getManagementStrategy().addEventNotifier(metrics);

        registry.bind("bridgeSettings", settings);
        registry.bind("crmEventParser", new CrmEventParser(settings.maxEventBytes()));
        registry.bind("eventIdResolver", eventIdResolver);
        registry.bind("contactListRequestMapper", new ContactListRequestMapper(eventIdResolver));
        registry.bind("addContactsRequestMapper", new AddContactsRequestMapper(eventIdResolver,
                settings.addContactsChunkSize(), settings.addContactsMaxContacts()));
        registry.bind("koreRequestFactory", new KoreRequestFactory(mapper, settings.iid(), settings.accountId()));
        registry.bind("jwtSigner", new JwtSigner(settings.clientId(), settings.clientSecret(), settings.jwtSubject(),
                settings.jwtExpiry(), clock));
        registry.bind("koreResponseParser", new KoreResponseParser(mapper, redactor, clock));
        registry.bind("koreErrorClassifier", classifier);
        KoreRateLimitGate rateLimitGate = new KoreRateLimitGate(clock);
        registry.bind("koreRateLimitGate", rateLimitGate);
        registry.bind("koreRetryPolicy", new KoreRetryPolicy(classifier, settings.maxAttempts(),
                settings.maxRetryAfterMillis(), settings.maxRateLimitWaits(), rateLimitGate, metrics::retried,
                metrics::rateLimited));
        registry.bind("eventLocks", new EventLocks(eventIdResolver));
        // bridge.max-in-flight: events between their start and their outcome, so Kore.ai calls, in all flows together.
        registry.bind("koreCallSlots", new KoreCallSlots(settings.maxInFlight()));
        // One thread per event in progress, shared by every flow's consumer: the flow, its Kore.ai calls with their
        // retries and its outcome run on it. Each consumer hands over whole batches, so the queue is unbounded.
        registry.bind(ConsumeTopicTemplate.WORKERS, workers(context, settings.maxInFlight()));
        registry.bind("recordBatches", new RecordBatches(metrics, context.getExecutorServiceManager()
                .newSingleThreadExecutor(this, "offset-committer"),
                () -> kafkaConfiguration(context)));
        registry.bind("koreListNames", new KoreListNames(mapper, settings.dedupeByNameTtl(), clock, classifier,
                java.net.URI.create(settings.getAllListsUrl()).getRawQuery()));
        KoreOutagePolicy outagePolicy = new KoreOutagePolicy(settings.outageMaxPauses(), settings.outagePauseMillis());
        registry.bind("koreOutagePolicy", outagePolicy);
        // Every Kafka client of the bridge connects with camel.component.kafka.*, which camel-main applies only after
        // this method: the settings are read, and the bridge's own clients made, when the context initializes.
        KafkaClientSettings kafkaClients = KafkaClientSettings.of(context);
        registry.bind("kafkaClientSettings", kafkaClients);
        StaticGroupMembership membership = new StaticGroupMembership(() -> kafkaClients.forClients(LEAVE_CLIENTS));
        registry.bind("staticGroupMembership", membership);
        ProducerBatchLimit batchLimit = new ProducerBatchLimit(kafkaClients, TOPIC_LIMITS_TIMEOUT);
        // A context service: its start waits for the topic limits (see onContextInitializing below).
        addService(context, batchLimit);
        ProcessedEvents processedEvents = null;
        if (settings.dedupeEnabled()) {
            processedEvents = new ProcessedEvents(settings.processedTopic(), settings.dedupeCacheSize(),
                    () -> kafkaClients.forClients(STORE_CLIENTS));
            registry.bind("processedEvents", processedEvents);
            // A context service starts before the routes consume, and loads what was stored so far.
            addService(context, processedEvents);
            registry.bind("processedEventsHealthCheck", new ProcessedEventsHealthCheck(processedEvents));
        }
        registry.bind("processedCalls", new ProcessedCalls(processedEvents, registry.findSingleByType(EventLocks.class),
                mapper));
        registry.bind("outcomeRecords", new OutcomeRecords(mapper, classifier, eventIdResolver, outagePolicy,
                processedEvents, settings.deadLetterMaxValueBytes(), () -> kafkaMaxRequestSize(context)));
        // The circuit breaker of each flow's Kafka consumer (every route made from the consume-topic template): a
        // held-back record pauses that consumer (which keeps polling, so the group keeps it), and after the pause it
        // resumes from the committed offsets.
        context.addRoutePolicyFactory(new RoutePolicyFactory() {
            @Override
            public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
                if (!(route instanceof RouteDefinition definition)
                        || !ConsumeTopicTemplate.GROUP.equals(definition.getGroup())) {
                    return null;
                }
                ThrottlingExceptionRoutePolicy breaker = new ThrottlingExceptionRoutePolicy(1,
                        settings.outagePauseMillis(), settings.outagePauseMillis(),
                        List.of(KoreUnavailableException.class));
                // koreOutagePolicy logs each pause once; the breaker's state changes only at DEBUG.
                breaker.setStateLoggingLevel(LoggingLevel.DEBUG);
                metrics.watchCircuitBreaker(routeId, breaker);
                Object flow = definition.getTemplateParameters() != null
                        ? definition.getTemplateParameters().get("flow") : null;
                metrics.flowStarted(String.valueOf(flow));
                return breaker;
            }
        });

        // Health. Liveness: Camel's context check and the deadlock check, nothing outside the process. Readiness adds
        // the routes, camel-kafka's consumer check, processed-events, and kafka-broker: camel-kafka's own consumer
        // check stays UP without a broker, this one asks the cluster. Details and errors only when turned on.
        registry.bind("healthDetailsPolicy", new HealthDetailsPolicy(settings.healthDetails()));
        registry.bind("deadlockHealthCheck", new DeadlockHealthCheck());
        KafkaBrokerHealthCheck kafkaHealth = new KafkaBrokerHealthCheck(
                () -> kafkaClients.forClients(HEALTH_CLIENTS), Duration.ofSeconds(3),
                Duration.ofSeconds(2), clock);
        registry.bind("kafkaBrokerHealthCheck", kafkaHealth);
        ProcessedEvents store = processedEvents;
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextInitializing(CamelContext initializing) {
                // The flows of routes/ are in the model now and no route is created yet: a broken flow, or a setting
                // a flow names that does not exist, stops the start here.
                FlowChecks.verify(initializing);
                // camel-main has applied camel.component.kafka.* (file, -D, placeholders) by now; routes not started.
                kafkaClients.read().logUse(ROUTE_CLIENTS);
                int pollRecords = applyMaxPollRecords(initializing, settings);
                warnIfRetriesOutlastThePollInterval(initializing, settings, pollRecords);
                kafkaClients.logUse(HEALTH_CLIENTS); // its admin client is made at the first probe
                // Wrong credentials stop the start here, naming the setting, before any client retries into timeouts.
                KafkaConnectionCheck.verify(kafkaClients, KAFKA_CHECK_TIMEOUT);
                // No batch larger than an outcome or dead-letter topic accepts: read while the start-up goes on, in
                // place before the routes start. Not for a context whose routes do not start (auto-startup=false).
                if (initializing.isAutoStartup()) {
                    batchLimit.check(kafkaConfiguration(initializing), FlowChecks.publishedTopics(initializing));
                }
                if (store != null) {
                    // Loads while the routes start; the service's start waits for it before routes consume.
                    store.prepare();
                }
            }

            @Override
            public void onContextStarted(CamelContext started) {
                membership.noteMembers(started);
            }

            @Override
            public void onContextStopped(CamelContext stopped) {
                kafkaHealth.close();
                // The routes' consumers are closed; static members do not leave by themselves.
                membership.leaveAll(LEAVE_TIMEOUT);
            }
        });

        configureKoreHttp(context, settings);
    }

    /**
     * Sets the batch size of every consumer and returns it: camel.component.kafka.max-poll-records if set, else the
     * bridge's default for its request budget ({@link BridgeSettings#defaultMaxPollRecords()}), set on the component
     * before any endpoint copies its configuration.
     */
    private static int applyMaxPollRecords(CamelContext context, BridgeSettings settings) {
        org.apache.camel.component.kafka.KafkaConfiguration kafka = kafkaConfiguration(context);
        if (kafka.getMaxPollRecords() == null) {
            kafka.setMaxPollRecords(settings.defaultMaxPollRecords());
            LOG.info("Kafka consumers poll up to {} events at a time (camel.component.kafka.max-poll-records is not "
                    + "set: {})", kafka.getMaxPollRecords(), settings.requestsPerMinute() > 0
                    ? "one minute of kore.rate-limit.requests-per-minute, at most 500" : "Kafka's default");
        }
        return kafka.getMaxPollRecords();
    }

    private java.util.concurrent.ExecutorService workers(CamelContext context, int maxInFlight) {
        // Twice the Kore.ai call slots (KoreCallSlots): while an event writes its outcome, another one calls Kore.ai.
        // One for bridge.max-in-flight = 1, which promises strictly one event after the other (outcomes in order).
        int threads = maxInFlight == 1 ? 1 : 2 * maxInFlight;
        try {
            // Not maxQueueSize(-1): Camel makes that a hand-over queue whose overflow runs in the submitting worker,
            // which then starts no further event until its own is done (a slow event left slots idle).
            return new ThreadPoolBuilder(context).poolSize(threads).maxPoolSize(threads)
                    .maxQueueSize(Integer.MAX_VALUE).build(this, "kore-call");
        } catch (Exception e) {
            throw new IllegalStateException("could not create the worker threads", e);
        }
    }

    /** A record retried longer than max.poll.interval.ms gets this consumer evicted from its group mid-retry. */
    private static void warnIfRetriesOutlastThePollInterval(CamelContext context, BridgeSettings settings,
                                                            long pollRecords) {
        long connect = longProperty(context, "kore.http.connect-timeout-ms", 5_000);
        long response = longProperty(context, "kore.http.response-timeout-ms", 30_000);
        long pollInterval = longProperty(context, "camel.component.kafka.max-poll-interval-ms", 300_000);
        long worstCase = settings.worstCaseBatchMillis(connect, response, pollRecords, pollInterval);
        if (worstCase >= pollInterval) {
            LOG.warn("A batch of {} event(s) can take {} ms (events start at the pace of kore.rate-limit.requests-per-"
                    + "minute or of Kore.ai's answers, until half the poll interval; plus one event retried to the end "
                    + "by bridge.retry.*, its rate-limit waits and kore.http.*-timeout-ms), more than "
                    + "camel.component.kafka.max-poll-interval-ms = {}: this consumer could be evicted from its group. "
                    + "Lower camel.component.kafka.max-poll-records or the retries, or raise the poll interval.",
                    pollRecords, worstCase, pollInterval);
        }
    }

    /** The producer's max.request.size, read when first needed (camel-main has configured the component by then). */
    private static int kafkaMaxRequestSize(CamelContext context) {
        Integer size = kafkaConfiguration(context).getMaxRequestSize();
        return size != null ? size : 1_048_576;
    }

    /** camel.component.kafka.*: the configuration every Kafka endpoint of the routes copies when it is created. */
    private static org.apache.camel.component.kafka.KafkaConfiguration kafkaConfiguration(CamelContext context) {
        return context.getComponent("kafka", org.apache.camel.component.kafka.KafkaComponent.class).getConfiguration();
    }

    private static long longProperty(CamelContext context, String key, long fallback) {
        try {
            return context.getPropertiesComponent().resolveProperty(key).map(String::strip).map(Long::parseLong)
                    .orElse(fallback);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void addService(CamelContext context, Object service) {
        try {
            context.addService(service, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("could not register " + service.getClass().getSimpleName(), e);
        }
    }

    /** TLS trust and proxy for the Kore.ai calls, on both names camel-http answers to. */
    private static void configureKoreHttp(CamelContext context, BridgeSettings settings) {
        for (String scheme : new String[] {"http", "https"}) {
            HttpComponent http = context.getComponent(scheme, HttpComponent.class);
            if (settings.truststoreLocation() != null) {
                KeyStoreParameters trustStore = new KeyStoreParameters();
                trustStore.setResource("file:" + settings.truststoreLocation());
                trustStore.setPassword(settings.truststorePassword());
                trustStore.setType(settings.truststoreType());
                TrustManagersParameters trustManagers = new TrustManagersParameters();
                trustManagers.setKeyStore(trustStore);
                SSLContextParameters ssl = new SSLContextParameters();
                ssl.setTrustManagers(trustManagers);
                http.setSslContextParameters(ssl);
            }
            if (settings.proxyHost() != null) {
                http.setProxyHost(settings.proxyHost());
                http.setProxyPort(settings.proxyPort());
            }
        }
    }


}
