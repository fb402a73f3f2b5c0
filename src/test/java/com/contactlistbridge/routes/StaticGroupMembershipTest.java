package com.contactlistbridge.routes;

import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StaticGroupMembershipTest {

    @Test
    void oneRouteKeepsItsIdAcrossReconnectsAndEveryProcessHasItsOwn() {
        StaticGroupMembership process = new StaticGroupMembership(Properties::new);
        String id = process.instanceId("contact-list-bridge", "consume-requests");

        assertThat(process.instanceId("contact-list-bridge", "consume-requests")).isEqualTo(id);
        assertThat(process.instanceId("contact-list-bridge", "consume-add-contacts")).isNotEqualTo(id);
        assertThat(new StaticGroupMembership(Properties::new).instanceId("contact-list-bridge", "consume-requests"))
                .as("another bridge on the same host").isNotEqualTo(id);
        assertThat(id).startsWith("contact-list-bridge-consume-requests-").matches("[a-z0-9._-]{1,249}");
    }

    @Test
    void idsKeepOnlyWhatKafkaAllows() {
        assertThat(StaticGroupMembership.legal("contact-list-bridge-r-Host_Name:1/x")).isEqualTo(
                "contact-list-bridge-r-host_name-1-x");
        assertThat(StaticGroupMembership.legal("x".repeat(300))).hasSize(249);
    }
}
