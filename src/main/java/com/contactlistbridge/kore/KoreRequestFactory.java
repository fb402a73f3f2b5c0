package com.contactlistbridge.kore;

import java.util.LinkedHashMap;
import java.util.Map;

import com.contactlistbridge.event.BridgeExchange;
import com.contactlistbridge.event.ContactListRequest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Builds the HTTP request for one Create Contact List call from the validated request: JSON body and the headers
 * Kore.ai needs ({@code iid}, {@code accountId}), and counts the attempt.
 *
 * <p>It rebuilds everything from exchange properties, so a redelivery starts from a clean request.
 */
public class KoreRequestFactory implements Processor {

    private final ObjectMapper mapper;
    private final String iid;
    private final String accountId;

    public KoreRequestFactory(ObjectMapper mapper, String iid, String accountId) {
        this.mapper = mapper;
        this.iid = iid;
        this.accountId = accountId;
    }

    @Override
    public void process(Exchange exchange) throws JsonProcessingException {
        ContactListRequest request = exchange.getProperty(BridgeExchange.REQUEST, ContactListRequest.class);
        if (request == null) {
            throw new IllegalStateException("no validated request on the exchange: call contactListRequestMapper "
                    + "before the Kore.ai route");
        }
        Message message = exchange.getMessage();
        message.setBody(mapper.writeValueAsBytes(body(request)));
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader("iid", iid);
        message.setHeader("accountId", accountId);
    }

    static Map<String, Object> body(ContactListRequest request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", request.name());
        body.put("description", request.description());
        body.put("source", request.source());
        body.put("allowDuplicates", request.allowDuplicates());
        return body;
    }
}
