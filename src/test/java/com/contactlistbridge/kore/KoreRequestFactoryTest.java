package com.contactlistbridge.kore;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.contactlistbridge.event.InvalidEventException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KoreRequestFactoryTest {

    private final KoreRequestFactory factory = new KoreRequestFactory(new ObjectMapper(), "st-app", "acc-1");

    private static Exchange call(String method, String path) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setVariable(KoreRequestFactory.METHOD, method);
        exchange.setVariable(KoreRequestFactory.PATH, path);
        return exchange;
    }

    @Test
    void bodyIsTheJsonOfKoreRequestAndOnlyKoresHeadersAreSet() throws Exception {
        Exchange exchange = call("POST", "/api/1.1/public/st-1/campaign/contactList/addContacts");
        exchange.setVariable(KoreRequestFactory.REQUEST, Map.of("contact_list_name", "L\"\n"));

        factory.process(exchange);

        assertThat(new String(exchange.getMessage().getBody(byte[].class), StandardCharsets.UTF_8))
                .isEqualTo("{\"contact_list_name\":\"L\\\"\\n\"}");
        assertThat(exchange.getMessage().getHeaders()).containsOnlyKeys(Exchange.HTTP_PATH, Exchange.CONTENT_TYPE,
                "iid", "accountId");
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_PATH))
                .isEqualTo("/api/1.1/public/st-1/campaign/contactList/addContacts");
    }

    @Test
    void withoutKoreRequestTheKoreRequestFieldVariablesMakeTheBody() throws Exception {
        Exchange exchange = call("PUT", "/x");
        exchange.setVariable("koreRequest.name", "Renewals");
        exchange.setVariable("koreRequest.description", "Q3");

        factory.process(exchange);

        assertThat(new String(exchange.getMessage().getBody(byte[].class), StandardCharsets.UTF_8))
                .contains("\"name\":\"Renewals\"").contains("\"description\":\"Q3\"");
    }

    @Test
    void pathVariablesArePlainIdsOnly() throws Exception {
        Exchange exchange = call("GET", "/lists/{contactListId}/contacts");
        exchange.setVariable("contactListId", "cl-42.a_b:c");
        factory.process(exchange);
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_PATH)).isEqualTo("/lists/cl-42.a_b:c/contacts");
        assertThat(exchange.getMessage().getBody()).isNull();

        for (Object bad : new Object[] {"../admin", "a/b", "a?b=c", "a b", "", "x".repeat(257), true, null}) {
            Exchange refused = call("GET", "/lists/{contactListId}");
            refused.setVariable("contactListId", bad);
            assertThatThrownBy(() -> factory.process(refused)).as("%s", bad)
                    .isInstanceOf(InvalidEventException.class).hasMessageStartingWith("contactListId must be an id");
        }
    }
}
