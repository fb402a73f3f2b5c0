package com.contactlistbridge.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.contactlistbridge.embedded.EmbeddedKafkaBroker;

/**
 * A real Kafka broker in a JVM of its own, so that a test can freeze it ({@code SIGSTOP}) and thaw it
 * ({@code SIGCONT}): a broker that hangs, as a stalled machine or a long GC pause makes it, rather than one that
 * stops and refuses connections. Linux and macOS only (kill).
 */
public final class BrokerProcess implements AutoCloseable {

    private static final String READY = "BROKER-PROCESS-BOOTSTRAP=";

    private final Process process;
    private final String bootstrapServers;

    private BrokerProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts the broker JVM and waits until it serves requests; {@code topics} are created with 1 partition. */
    public static BrokerProcess start(String... topics) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), BrokerProcess.class.getName()));
        command.addAll(List.of(topics));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<String> bootstrap = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = output.readLine(); line != null; line = output.readLine()) {
                    if (line.startsWith(READY)) {
                        return line.substring(READY.length()).strip();
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException("the broker process ended before it was ready");
        });
        try {
            String servers = bootstrap.get(90, TimeUnit.SECONDS);
            // Keep draining its output so that it never blocks on a full pipe.
            Thread drain = new Thread(() -> {
                try {
                    while (output.readLine() != null) {
                        // discarded
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "broker-process-output");
            drain.setDaemon(true);
            drain.start();
            return new BrokerProcess(process, servers);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The broker hangs: every connection stays open, nothing is answered. */
    public void freeze() throws Exception {
        signal("-STOP");
    }

    public void thaw() throws Exception {
        signal("-CONT");
    }

    private void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws Exception {
        try {
            thaw();
        } catch (Exception ignored) {
            // already gone
        }
        // End of its stdin: the broker closes itself and deletes its log directory.
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** The broker JVM: starts, creates the topics, prints its address, runs until its parent closes stdin. */
    public static void main(String[] topics) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(false)) {
            if (topics.length > 0) {
                broker.createTopics(1, topics);
            }
            System.out.println(READY + broker.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent goes away
            }
        }
    }
}
