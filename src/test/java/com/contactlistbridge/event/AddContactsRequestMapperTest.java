package com.contactlistbridge.event;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddContactsRequestMapperTest {

    private final AddContactsRequestMapper mapper = new AddContactsRequestMapper(new EventIdResolver(), 2, 5);

    private static Map<String, Object> contact(String phone) {
        return Map.of("phoneNumber", phone);
    }

    @Test
    void contactsAreCutIntoChunksWithKoresFieldSpelling() throws Exception {
        List<Map<String, Object>> chunks = mapper.chunks("Renewals", List.of(
                Map.of("phoneNumber", "+4915112345678", "firstName", "Anna", "lastName", "Schmidt",
                        "email", "anna@example.com"),
                contact("9122333445566"), contact("123456")));

        assertThat(chunks).hasSize(2);
        assertThat(chunks.get(0)).containsEntry("contact_list_name", "Renewals");
        assertThat((List<?>) chunks.get(0).get("data")).hasSize(2);
        assertThat((List<?>) chunks.get(1).get("data")).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) ((List<?>) chunks.get(0).get("data")).get(0);
        assertThat(first).containsEntry("first name", "Anna")
                .containsEntry("last name", "Schmidt").containsEntry("email", "anna@example.com")
                .containsEntry("phoneNumber", "+4915112345678").doesNotContainKey("firstName");
    }

    @ParameterizedTest
    @ValueSource(strings = {"+049123456", "12345", "+1234", "1234567890123456", "+49 151 1234", "49-151-1234",
            "０１２３４５６"})
    void phoneNumbersOtherThanE164OrDigitsAreRefused(String phone) {
        assertThatThrownBy(() -> mapper.chunks("L", List.of(contact(phone))))
                .isInstanceOf(InvalidEventException.class).hasMessageStartingWith("contacts[0].phoneNumber");
    }

    @Test
    void aRefusedPhoneNumberIsDescribedNotRepeated() {
        assertThatThrownBy(() -> mapper.chunks("L", List.of(contact("0151-1234567"))))
                .hasMessage("contacts[0].phoneNumber must be E.164 (+ and 7 to 15 digits) or 6 to 15 digits; got 12 "
                        + "characters that are neither (the number is personal data: not repeated here)")
                .message().doesNotContain("1234567");
    }

    @Test
    void theListNameAndTheNumberOfContactsAreBounded() {
        assertThatThrownBy(() -> mapper.chunks("n".repeat(49), List.of(contact("123456"))))
                .hasMessage("listName has 49 characters; the maximum is 48 (counted in UTF-16 code units)");
        assertThatThrownBy(() -> mapper.chunks(" ", List.of(contact("123456"))))
                .hasMessage("listName is blank; it must have 1 to 48 characters");
        assertThatThrownBy(() -> mapper.chunks("L", List.of()))
                .hasMessageStartingWith("contacts has 0 entries; it must have 1 to 5");
        assertThatThrownBy(() -> mapper.chunks("L", java.util.Collections.nCopies(6, contact("123456"))))
                .hasMessageStartingWith("contacts has 6 entries");
        assertThatThrownBy(() -> mapper.chunks("L", "not a list")).hasMessage("contacts must be an array, got a string");
        assertThatThrownBy(() -> mapper.chunks("L", null)).hasMessageStartingWith("contacts is missing");
    }

    @Test
    void contactFieldsAreChecked() {
        assertThatThrownBy(() -> mapper.chunks("L", List.of(Map.of("phoneNumber", "123456", "email", "no-at-sign"))))
                .hasMessage("contacts[0].email is not an e-mail address (name@domain.tld)");
        assertThatThrownBy(() -> mapper.chunks("L", List.of(Map.of("phoneNumber", 123456))))
                .hasMessage("contacts[0].phoneNumber must be a string, got a number");
        assertThatThrownBy(() -> mapper.chunks("L", List.of("123456")))
                .hasMessage("contacts[0] must be an object, got a string");
        assertThatThrownBy(() -> mapper.chunks("L", List.of(Map.of("phoneNumber", "123456",
                "firstName", "x".repeat(129))))).hasMessageStartingWith("contacts[0].firstName has 129 characters");
    }
}
