package com.contactlistbridge.kore;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.contactlistbridge.event.BridgeExchange;
import com.contactlistbridge.event.ContactListRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KoreListNamesTest {

    private static final String QUERY = "accountId=acc-1&type=call";
    private static final Instant NOW = Instant.parse("2025-12-05T09:22:00Z");
    private static CamelContext camel;

    private final KoreListNames names = new KoreListNames(new ObjectMapper(), Duration.ofMinutes(10),
            Clock.fixed(NOW, ZoneOffset.UTC), new KoreErrorClassifier(new SecretRedactor("s".repeat(32), 512)), QUERY);

    @BeforeAll
    static void startCamel() {
        camel = new DefaultCamelContext();
    }

    @AfterAll
    static void stopCamel() throws Exception {
        camel.close();
    }

    private static String list(String name, String id) {
        return "{\"name\":\"" + name + "\",\"_id\":\"" + id + "\",\"status\":\"Ready\"}";
    }

    private static String page(int skip, int limit, boolean hasMore, String... lists) {
        return "{\"status\":\"success\",\"data\":{\"results\":[" + String.join(",", lists) + "],\"skip\":" + skip
                + ",\"limit\":" + limit + ",\"hasMore\":" + hasMore + "}}";
    }

    private static Exchange answer(Exchange exchange, String body) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return exchange;
    }

    /** Runs one refresh the way the route kore-get-all-lists does, answering each page from the given bodies. */
    private List<String> refresh(String... pages) throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        List<String> queries = new ArrayList<>();
        names.startRefresh(exchange);
        int i = 0;
        while (names.hasMorePages(exchange)) {
            exchange.getMessage().removeHeader(Exchange.HTTP_QUERY);
            names.preparePage(exchange);
            queries.add(exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class));
            names.readPage(answer(exchange, pages[i++]));
        }
        assertThat(i).as("pages read").isEqualTo(pages.length);
        names.finishRefresh(exchange);
        return queries;
    }

    /** The list the guard answers for this name, or null when the name is new. */
    private String found(String name) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(BridgeExchange.REQUEST, new ContactListRequest(name, "d", "passiveApi", false));
        exchange.setProperty(BridgeExchange.RESOLVED_EVENT_ID, "crm-1");
        names.match(exchange);
        CreatedContactList created = exchange.getProperty(BridgeExchange.CREATED, CreatedContactList.class);
        return created == null ? null : created.contactListId();
    }

    @Test
    void theDocumentedShapeIsOnePageAndNamesMatchCaseInsensitively() throws Exception {
        List<String> queries = refresh("{\"status\":\"success\",\"data\":[" + list("Renewals July", "cl-1") + ","
                + list("Other", "cl-2") + "]}");

        assertThat(queries).containsExactly((String) null);
        assertThat(found(" renewals JULY ")).isEqualTo("cl-1");
        assertThat(found("Other")).isEqualTo("cl-2");
        assertThat(found("New")).isNull();
        assertThat(names.needsRefresh()).isFalse();
    }

    @Test
    void aListWhoseIdCouldNotBePassedOnIsNoAnswer() throws Exception {
        refresh("{\"data\":[" + list("Spaced", "cl 1") + "," + list("Long", "cl-" + "x".repeat(200)) + ","
                + list("Fine", "cl-3") + "]}");

        assertThat(found("Spaced")).isNull();
        assertThat(found("Long")).isNull();
        assertThat(found("Fine")).isEqualTo("cl-3");
    }

    @Test
    void aPagedAnswerIsFollowedWithSkipAndLimitUntilHasMoreIsFalse() throws Exception {
        List<String> queries = refresh(page(0, 2, true, list("A", "cl-a"), list("B", "cl-b")),
                page(2, 2, true, list("C", "cl-c"), list("D", "cl-d")),
                page(4, 2, false, list("E", "cl-e")));

        assertThat(queries).containsExactly(null, QUERY + "&skip=2&limit=2", QUERY + "&skip=4&limit=2");
        assertThat(List.of("A", "B", "C", "D", "E")).allSatisfy(name -> assertThat(found(name)).isNotNull());
        assertThat(found("E")).isEqualTo("cl-e");
    }

    @Test
    void readersKeepTheWholeOldSetUntilTheLastPageIsIn() throws Exception {
        refresh("{\"data\":[" + list("Old A", "cl-old-a") + "," + list("Old B", "cl-old-b") + "]}");
        Exchange exchange = new DefaultExchange(camel);
        names.startRefresh(exchange);
        names.readPage(answer(exchange, page(0, 1, true, list("New A", "cl-new-a"))));

        assertThat(found("Old A")).as("mid-refresh: the old set, whole").isEqualTo("cl-old-a");
        assertThat(found("Old B")).isEqualTo("cl-old-b");
        assertThat(found("New A")).as("mid-refresh: nothing of the new set").isNull();

        names.preparePage(exchange);
        names.readPage(answer(exchange, page(1, 1, false, list("New B", "cl-new-b"))));
        names.finishRefresh(exchange);

        assertThat(found("New A")).isEqualTo("cl-new-a");
        assertThat(found("New B")).isEqualTo("cl-new-b");
        assertThat(found("Old A")).as("the new set replaces the old one").isNull();
    }

    @Test
    void concurrentReadersNeverSeeAnEmptyOrPartialSetDuringRefreshes() throws Exception {
        String[] pageOne = {list("Kept 1", "cl-1"), list("Kept 2", "cl-2")};
        String[] pageTwo = {list("Kept 3", "cl-3"), list("Kept 4", "cl-4")};
        refresh(page(0, 2, true, pageOne), page(2, 2, false, pageTwo));
        AtomicBoolean refreshing = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try {
            List<Future<Long>> misses = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                misses.add(readers.submit(() -> {
                    long missed = 0;
                    do {
                        for (String name : List.of("Kept 1", "Kept 2", "Kept 3", "Kept 4")) {
                            missed += found(name) == null ? 1 : 0;
                            reads.incrementAndGet();
                        }
                    } while (refreshing.get());
                    return missed;
                }));
            }
            for (int i = 0; i < 2_000; i++) {
                refresh(page(0, 2, true, pageOne), page(2, 2, false, pageTwo));
            }
            refreshing.set(false);
            for (Future<Long> missed : misses) {
                assertThat(missed.get(30, TimeUnit.SECONDS)).as("names not found while refreshing").isZero();
            }
            assertThat(reads.get()).as("the readers really ran").isGreaterThan(100);
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void aListCreatedHereWhileARefreshRunsSurvivesTheSwap() throws Exception {
        refresh("{\"data\":[]}");
        Exchange refreshing = new DefaultExchange(camel);
        names.startRefresh(refreshing);
        Exchange created = new DefaultExchange(camel);
        created.setProperty(BridgeExchange.CREATED, new CreatedContactList("crm-1", "cl-new", "Made Here", "Ready",
                NOW.toString()));
        names.created(created);
        assertThat(found("made here")).isEqualTo("cl-new");

        // This Get All was sent before the creation and does not list it.
        names.readPage(answer(refreshing, "{\"data\":[" + list("Other", "cl-2") + "]}"));
        names.finishRefresh(refreshing);

        assertThat(found("made here")).isEqualTo("cl-new");
        assertThat(found("Other")).isEqualTo("cl-2");
        // A later refresh (sent after the creation) is Kore.ai's word again.
        refresh("{\"data\":[" + list("Other", "cl-2") + "]}");
        assertThat(found("made here")).isNull();
    }

    @Test
    void aFailedCallThatMayHaveReachedKoreMakesTheNamesStaleAndIsRethrown() throws Exception {
        refresh("{\"data\":[]}");
        assertThat(names.needsRefresh()).isFalse();

        Exception refused = new KoreApiException(400, "Kore.ai answered 400: bad", false, -1);
        assertThatThrownBy(() -> names.afterFailedCall(caught(refused))).isSameAs(refused);
        assertThat(names.needsRefresh()).as("a 400 created nothing").isFalse();
        Exception notSent = new ConnectException("Connection refused");
        assertThatThrownBy(() -> names.afterFailedCall(caught(notSent))).isSameAs(notSent);
        assertThat(names.needsRefresh()).as("the request never left").isFalse();

        Exception timeout = new SocketTimeoutException("Read timed out");
        assertThatThrownBy(() -> names.afterFailedCall(caught(timeout))).isSameAs(timeout);
        assertThat(names.needsRefresh()).as("read timeout: the list may exist").isTrue();

        refresh("{\"data\":[" + list("Late", "cl-late") + "]}");
        assertThat(names.needsRefresh()).isFalse();
        assertThat(found("Late")).isEqualTo("cl-late");
        Exception serverError = new KoreApiException(502, "Kore.ai answered 502: x", false, -1);
        assertThatThrownBy(() -> names.afterFailedCall(caught(serverError))).isSameAs(serverError);
        assertThat(names.needsRefresh()).as("5xx: the list may exist").isTrue();
    }

    @Test
    void aRefreshThatBeganBeforeTheFailureDoesNotCountAsFresh() throws Exception {
        refresh("{\"data\":[]}");
        Exchange refreshing = new DefaultExchange(camel);
        names.startRefresh(refreshing);
        Exception timeout = new SocketTimeoutException("Read timed out");
        assertThatThrownBy(() -> names.afterFailedCall(caught(timeout))).isSameAs(timeout);
        names.readPage(answer(refreshing, "{\"data\":[]}"));
        names.finishRefresh(refreshing);

        assertThat(names.needsRefresh()).as("its Get All may predate the list").isTrue();
    }

    @Test
    void theTtlStillApplies() throws Exception {
        KoreListNames shortLived = new KoreListNames(new ObjectMapper(), Duration.ZERO, Clock.fixed(NOW,
                ZoneOffset.UTC), new KoreErrorClassifier(new SecretRedactor("s".repeat(32), 512)), QUERY);
        assertThat(shortLived.needsRefresh()).isTrue();
        assertThat(names.needsRefresh()).as("never loaded").isTrue();
    }

    @Test
    void unreadableOrEndlessAnswersFailTheRefreshAndKeepTheOldSet() throws Exception {
        refresh("{\"data\":[" + list("Kept", "cl-kept") + "]}");

        for (String bad : List.of("<html>", "{\"data\":{\"x\":1}}", "{}", page(0, 2, true))) {
            Exchange exchange = new DefaultExchange(camel);
            names.startRefresh(exchange);
            assertThatThrownBy(() -> names.readPage(answer(exchange, bad))).as(bad)
                    .isInstanceOf(KoreApiException.class).hasMessageContaining("cannot check list names");
        }
        Exchange endless = new DefaultExchange(camel);
        names.startRefresh(endless);
        assertThatThrownBy(() -> {
            for (int i = 0; i <= KoreListNames.MAX_PAGES; i++) {
                names.readPage(answer(endless, page(i, 1, true, list("P" + i, "cl-" + i))));
            }
        }).isInstanceOf(KoreApiException.class).hasMessageContaining("after " + KoreListNames.MAX_PAGES + " pages");
        assertThat(found("Kept")).isEqualTo("cl-kept");
        assertThat(found("P1")).isNull();
    }

    private static Exchange caught(Exception failure) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, failure);
        return exchange;
    }
}
