package com.contactlistbridge.config;

import java.time.Clock;

import com.contactlistbridge.event.ContactListRequestMapper;
import com.contactlistbridge.event.CrmEventParser;
import com.contactlistbridge.event.EventIdResolver;
import com.contactlistbridge.kore.JwtSigner;
import com.contactlistbridge.kore.KoreErrorClassifier;
import com.contactlistbridge.kore.KoreRequestFactory;
import com.contactlistbridge.kore.KoreResponseParser;
import com.contactlistbridge.kore.KoreRetryPolicy;
import com.contactlistbridge.kore.SecretRedactor;
import com.contactlistbridge.routes.OffsetCommitter;
import com.contactlistbridge.routes.OutcomeRecords;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * Wires every bean the routes call by name, from settings validated first: a bad configuration stops the start
 * before any route runs, with one message naming every problem.
 */
public class BridgeConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        BridgeSettings settings = BridgeSettings.load(key -> context.getPropertiesComponent().resolveProperty(key));
        Clock clock = Clock.systemUTC();
        ObjectMapper mapper = new ObjectMapper();
        SecretRedactor redactor = new SecretRedactor(settings.clientSecret(), settings.errorMessageMaxLength());
        KoreErrorClassifier classifier = new KoreErrorClassifier(redactor);
        EventIdResolver eventIdResolver = new EventIdResolver();

        Registry registry = context.getRegistry();
        registry.bind("bridgeSettings", settings);
        registry.bind("crmEventParser", new CrmEventParser(settings.maxEventBytes()));
        registry.bind("eventIdResolver", eventIdResolver);
        registry.bind("contactListRequestMapper", new ContactListRequestMapper(eventIdResolver));
        registry.bind("koreRequestFactory", new KoreRequestFactory(mapper, settings.iid(), settings.accountId()));
        registry.bind("jwtSigner", new JwtSigner(settings.clientId(), settings.clientSecret(), settings.jwtSubject(),
                settings.jwtExpiry(), clock));
        registry.bind("koreResponseParser", new KoreResponseParser(mapper, redactor, clock));
        registry.bind("koreErrorClassifier", classifier);
        registry.bind("koreRetryPolicy", new KoreRetryPolicy(classifier, settings.maxAttempts(),
                settings.maxRetryAfterMillis()));
        registry.bind("offsetCommitter", new OffsetCommitter());
        registry.bind("outcomeRecords", new OutcomeRecords(mapper, classifier, eventIdResolver));
    }
}
