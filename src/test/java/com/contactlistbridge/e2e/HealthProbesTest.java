package com.contactlistbridge.e2e;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

import com.contactlistbridge.testsupport.HttpProbe;
import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.RunningBridge;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The management server as operators and orchestrators meet it: what liveness answers to, which details a health
 * answer may carry, and the address it binds to. (The broker outage itself: {@code OperationsTest}.)
 */
class HealthProbesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String EVERYTHING = "/observe/health?exposureLevel=full&stackTrace=true&data=true";

    private WireMockServer kore;
    private RunningBridge bridge;

    @BeforeEach
    void startStub() {
        kore = new WireMockServer(options().dynamicPort());
        kore.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        kore.stop();
    }

    @Test
    void healthAnswersLeaveBrokerAddressesOutUnlessDetailsAreTurnedOn() throws Exception {
        Map<String, String> settings = settings("health-hidden");
        bridge = RunningBridge.start(settings);
        await().atMost(WAIT).until(() -> status("/observe/health/ready") == 200);
        String brokers = settings.get("kafka.brokers");

        String hidden = body(EVERYTHING);
        assertThat(hidden).contains("kafka-broker", "consumer:consume-requests", "deadlock")
                .doesNotContain(brokers).contains("(hidden; management.health-details=true shows it)");
        bridge.close();
        bridge = null;

        Map<String, String> detailed = settings("health-details");
        detailed.put("management.health-details", "true");
        bridge = RunningBridge.start(detailed);
        await().atMost(WAIT).until(() -> status("/observe/health/ready") == 200);
        assertThat(body(EVERYTHING)).as("an operator turned details on").contains(brokers);
    }

    @Test
    void livenessGoesDownOnlyForADeadlockAndComesBackWhenItEnds() throws Exception {
        bridge = RunningBridge.start(settings("health-deadlock"));
        await().atMost(WAIT).until(() -> status("/observe/health/live") == 200);

        ReentrantLock first = new ReentrantLock();
        ReentrantLock second = new ReentrantLock();
        CountDownLatch bothHeld = new CountDownLatch(2);
        Thread a = deadlocking("deadlock-a", first, second, bothHeld);
        Thread b = deadlocking("deadlock-b", second, first, bothHeld);
        try {
            a.start();
            b.start();
            await().atMost(WAIT).until(() -> status("/observe/health/live") == 503);
            assertThat(body("/observe/health/live")).contains("deadlock").contains("DOWN");
        } finally {
            a.interrupt();
            b.interrupt();
            a.join(10_000);
            b.join(10_000);
        }
        await().atMost(WAIT).until(() -> status("/observe/health/live") == 200);
    }

    @Test
    void theManagementServerBindsToTheConfiguredAddress() throws Exception {
        Optional<InetAddress> external = nonLoopbackAddress();
        assumeThat(external).as("a non-loopback IPv4 address on this machine").isPresent();

        bridge = RunningBridge.start(settings("health-any-address"));
        int everywhere = managementPort();
        await().atMost(WAIT).until(() -> status("/observe/health/live") == 200);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(external.get(), everywhere), 2000);
        }
        bridge.close();
        bridge = null;

        Map<String, String> loopbackOnly = settings("health-loopback");
        loopbackOnly.put("management.host", "127.0.0.1");
        bridge = RunningBridge.start(loopbackOnly);
        int local = managementPort();
        await().atMost(WAIT).until(() -> status("/observe/health/live") == 200);
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(external.get(), local), 2000);
            }
        }).as("not reachable on " + external.get()).isInstanceOf(java.io.IOException.class);
    }

    private Map<String, String> settings(String name) {
        String prefix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaTestBroker.get().createTopics(1, prefix + ".create", prefix + ".created", prefix + ".dlq");
        return RunningBridge.baseSettings(KafkaTestBroker.get().bootstrapServers(), kore.baseUrl(), prefix);
    }

    private int managementPort() {
        return Integer.parseInt(bridge.context().getPropertiesComponent().resolveProperty("camel.management.port")
                .orElseThrow());
    }

    /** Takes its first lock, waits until the other thread holds its own, then blocks on the other's: a deadlock. */
    private static Thread deadlocking(String name, ReentrantLock mine, ReentrantLock theirs, CountDownLatch bothHeld) {
        Thread thread = new Thread(() -> {
            mine.lock();
            try {
                bothHeld.countDown();
                bothHeld.await();
                theirs.lockInterruptibly();
                theirs.unlock();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                mine.unlock();
            }
        }, name);
        thread.setDaemon(true);
        return thread;
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }

    private int status(String path) {
        return HttpProbe.status(bridge.managementUrl() + path);
    }

    private String body(String path) throws Exception {
        return HttpProbe.body(bridge.managementUrl() + path);
    }
}
