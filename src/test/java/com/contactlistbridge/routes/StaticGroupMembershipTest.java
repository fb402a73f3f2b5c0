package com.contactlistbridge.routes;

import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StaticGroupMembershipTest {

    @Test
    void everyProcessHasItsOwnLegalPart() {
        String process = new StaticGroupMembership(Properties::new).process();

        assertThat(new StaticGroupMembership(Properties::new).process()).as("another bridge on the same host")
                .isNotEqualTo(process);
        assertThat(process).matches("[a-z0-9._-]{1,200}");
    }

    @Test
    void idsKeepOnlyWhatKafkaAllows() {
        assertThat(StaticGroupMembership.legal("contact-list-bridge-r-Host_Name:1/x")).isEqualTo(
                "contact-list-bridge-r-host_name-1-x");
        assertThat(StaticGroupMembership.legal("x".repeat(300))).hasSize(249);
    }
}
