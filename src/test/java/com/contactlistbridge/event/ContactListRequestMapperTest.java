package com.contactlistbridge.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ContactListRequestMapperTest {

    private static final String DESCRIPTION = "Customers with services expiring in July 2025";
    private static final String GRINNING_FACE = "\uD83D\uDE00"; // U+1F600, two UTF-16 code units

    private static CamelContext context;

    private final ContactListRequestMapper mapper = new ContactListRequestMapper(new EventIdResolver());

    @BeforeAll
    static void createContext() {
        context = new DefaultCamelContext();
    }

    @AfterAll
    static void closeContext() throws Exception {
        context.close();
    }

    @Test
    void mapsValidFieldsWithSourcePassiveApi() throws Exception {
        ContactListRequest request = mapper.map("Renewal Due 1- July 2025", DESCRIPTION, true);

        assertThat(request).isEqualTo(new ContactListRequest("Renewal Due 1- July 2025", DESCRIPTION,
                "passiveApi", true));
    }

    @Test
    void sourceIsAlwaysPassiveApi() throws Exception {
        assertThat(mapper.map("a", "b", null).source()).isEqualTo("passiveApi");
        assertThat(mapper.map("a", "b", false).source()).isEqualTo("passiveApi");
        assertThat(ContactListRequest.PASSIVE_API_SOURCE).isEqualTo("passiveApi");
    }

    @Test
    void acceptsANameOf48Characters() throws Exception {
        String name = "n".repeat(48);

        assertThat(mapper.map(name, DESCRIPTION, null).name()).isEqualTo(name);
    }

    @Test
    void rejectsANameOf49CharactersNamingFieldCountAndMaximum() {
        assertThatThrownBy(() -> mapper.map("n".repeat(49), DESCRIPTION, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("name has 49 characters; the maximum is 48 (counted in UTF-16 code units)");
    }

    @Test
    void acceptsADescriptionOf256Characters() throws Exception {
        String description = "d".repeat(256);

        assertThat(mapper.map("name", description, null).description()).isEqualTo(description);
    }

    @Test
    void rejectsADescriptionOf257CharactersNamingFieldCountAndMaximum() {
        assertThatThrownBy(() -> mapper.map("name", "d".repeat(257), null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("description has 257 characters; the maximum is 256 (counted in UTF-16 code units)");
    }

    @Test
    void countsGermanUmlautsAsCharactersNotBytes() throws Exception {
        String base = "Überprüfung für Kunden ÄÖÜ"; // 26 characters, precomposed umlauts
        String name = base + "äöüßÄÖÜ".repeat(3) + "x"; // 26 + 21 + 1 = 48 characters
        assertThat(name).hasSize(48);
        assertThat(name.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(48);

        assertThat(mapper.map(name, base, null).name()).isEqualTo(name);
    }

    @Test
    void rejectsA49CharacterGermanName() {
        String name = "Überprüfung für Kunden ÄÖÜ" + "äöüßÄÖÜ".repeat(3) + "xy";
        assertThat(name).hasSize(49);

        assertThatThrownBy(() -> mapper.map(name, DESCRIPTION, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("name has 49 characters; the maximum is 48");
    }

    @Test
    void countsAnEmojiAsTwoSo24EmojiAreAccepted() throws Exception {
        String name = GRINNING_FACE.repeat(24);

        assertThat(mapper.map(name, DESCRIPTION, null).name()).isEqualTo(name);
    }

    @Test
    void rejects25EmojiAs50Characters() {
        assertThatThrownBy(() -> mapper.map(GRINNING_FACE.repeat(25), DESCRIPTION, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("name has 50 characters; the maximum is 48");
    }

    @Test
    void rejectsAMissingName() {
        assertThatThrownBy(() -> mapper.map(null, DESCRIPTION, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("name is missing; it is required (a string of 1 to 48 characters)");
    }

    @Test
    void rejectsAnEmptyName() {
        assertThatThrownBy(() -> mapper.map("", DESCRIPTION, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("name is empty; it must have 1 to 48 characters");
    }

    @Test
    void rejectsABlankName() {
        assertThatThrownBy(() -> mapper.map(" \t ", DESCRIPTION, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("name is blank; it must have 1 to 48 characters");
    }

    @Test
    void rejectsANonStringNameNamingTheJsonType() {
        assertThatThrownBy(() -> mapper.map(42, DESCRIPTION, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("name must be a string, got a number");
        assertThatThrownBy(() -> mapper.map(true, DESCRIPTION, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("name must be a string, got a boolean");
        assertThatThrownBy(() -> mapper.map(Map.of("x", 1), DESCRIPTION, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("name must be a string, got an object");
        assertThatThrownBy(() -> mapper.map(List.of("x"), DESCRIPTION, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("name must be a string, got an array");
    }

    @Test
    void rejectsAMissingDescription() {
        assertThatThrownBy(() -> mapper.map("name", null, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("description is missing; it is required (a string of 1 to 256 characters)");
    }

    @Test
    void rejectsAnEmptyDescription() {
        assertThatThrownBy(() -> mapper.map("name", "", null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("description is empty; it must have 1 to 256 characters");
    }

    @Test
    void rejectsABlankDescription() {
        assertThatThrownBy(() -> mapper.map("name", "   ", null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("description is blank; it must have 1 to 256 characters");
    }

    @Test
    void rejectsANonStringDescription() {
        assertThatThrownBy(() -> mapper.map("name", 3.5, null))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("description must be a string, got a number");
    }

    @Test
    void reportsTheNameFirstWhenNameAndDescriptionAreBothInvalid() {
        assertThatThrownBy(() -> mapper.map(null, null, "yes"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("name is missing");
    }

    @Test
    void allowDuplicatesTrueIsKept() throws Exception {
        assertThat(mapper.map("name", DESCRIPTION, true).allowDuplicates()).isTrue();
    }

    @Test
    void allowDuplicatesFalseIsKept() throws Exception {
        assertThat(mapper.map("name", DESCRIPTION, false).allowDuplicates()).isFalse();
    }

    @Test
    void absentAllowDuplicatesDefaultsToFalse() throws Exception {
        assertThat(mapper.map("name", DESCRIPTION, null).allowDuplicates()).isFalse();
    }

    @Test
    void rejectsAllowDuplicatesGivenAsTheStringTrue() {
        assertThatThrownBy(() -> mapper.map("name", DESCRIPTION, "true"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("allowDuplicates must be a boolean (true or false), got a string");
    }

    @Test
    void rejectsAllowDuplicatesGivenAsTheNumberOne() {
        assertThatThrownBy(() -> mapper.map("name", DESCRIPTION, 1))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("allowDuplicates must be a boolean (true or false), got a number");
    }

    @Test
    void toRequestStoresTheValidatedRequestAndTheResolvedEventIdOnTheExchange() throws Exception {
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(BridgeExchange.EVENT_ID, "crm-0001");
        exchange.setProperty(BridgeExchange.CONTACT_LIST_NAME, "Renewal Due 1- July 2025");
        exchange.setProperty(BridgeExchange.CONTACT_LIST_DESCRIPTION, DESCRIPTION);
        exchange.setProperty(BridgeExchange.CONTACT_LIST_ALLOW_DUPLICATES, true);

        mapper.toRequest(exchange);

        assertThat(exchange.getProperty(BridgeExchange.REQUEST)).isEqualTo(
                new ContactListRequest("Renewal Due 1- July 2025", DESCRIPTION, "passiveApi", true));
        assertThat(exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID)).isEqualTo("crm-0001");
    }

    @Test
    void toRequestRejectsAnEventIdThatIsNeitherStringNorInteger() {
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(BridgeExchange.EVENT_ID, List.of("x"));
        exchange.setProperty(BridgeExchange.CONTACT_LIST_NAME, "name");
        exchange.setProperty(BridgeExchange.CONTACT_LIST_DESCRIPTION, DESCRIPTION);

        assertThatThrownBy(() -> mapper.toRequest(exchange))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("eventId must be a non-blank string or an integer, got an array");
        assertThat(exchange.getProperty(BridgeExchange.REQUEST)).isNull();
    }
}
