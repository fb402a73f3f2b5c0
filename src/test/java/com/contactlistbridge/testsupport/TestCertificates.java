package com.contactlistbridge.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A private certificate authority with a broker and a client certificate, made at test time with the JDK's keytool
 * (nothing private is checked in): PKCS12 stores with one random password, valid for two days.
 *
 * <p>{@link #truststore()} trusts only the test CA; {@link #brokerKeystore()} holds a certificate for 127.0.0.1 and
 * localhost; {@link #clientKeystore()} a client certificate (CN=contact-list-bridge) signed by the CA, for mutual TLS;
 * {@link #untrustedClientKeystore()} a self-signed one that the broker must refuse. Made once per test JVM.
 */
public final class TestCertificates {

    private final Path dir;
    private final String password;

    private TestCertificates(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /** The certificates of this test JVM, made on the first call (a few seconds of keytool runs). */
    public static TestCertificates get() {
        return Holder.CERTIFICATES;
    }

    /** The password of every store and key. */
    public String password() {
        return password;
    }

    /** PKCS12 trust store holding only the test CA. */
    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    /** PKCS12 key store with the broker's key and its CA-signed certificate for 127.0.0.1 / localhost. */
    public Path brokerKeystore() {
        return dir.resolve("broker.p12");
    }

    /** PKCS12 key store with the bridge's client key and its CA-signed certificate, for mutual TLS. */
    public Path clientKeystore() {
        return dir.resolve("client.p12");
    }

    /** PKCS12 key store with a self-signed client certificate the test CA never signed. */
    public Path untrustedClientKeystore() {
        return dir.resolve("untrusted-client.p12");
    }

    private static final class Holder {
        private static final TestCertificates CERTIFICATES = make();

        private static TestCertificates make() {
            try {
                Path dir = Files.createTempDirectory("test-certificates-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteAll(dir), "test-certificates-cleanup"));
                TestCertificates certificates = new TestCertificates(dir, UUID.randomUUID().toString());
                certificates.makeAll();
                return certificates;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make the test certificates", e);
            }
        }
    }

    private static void deleteAll(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover temp dir of test certificates is harmless
        }
    }

    private void makeAll() {
        keytool("-genkeypair", "-alias", "ca", "-dname", "CN=contact-list-bridge test CA", "-ext", "bc:c",
                "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", file("ca.p12"), "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", file("ca.p12"), "-storepass", password,
                "-file", file("ca.crt"));
        // Independent chains: run them side by side, each keytool run is mostly JVM start-up.
        CompletableFuture<Void> truststore = CompletableFuture.runAsync(() -> keytool("-importcert", "-noprompt",
                "-alias", "ca", "-file", file("ca.crt"), "-storetype", "PKCS12", "-keystore", file("truststore.p12"),
                "-storepass", password));
        CompletableFuture<Void> broker = CompletableFuture.runAsync(() -> signed("broker", "CN=localhost",
                "SAN=ip:127.0.0.1,dns:localhost"));
        CompletableFuture<Void> client = CompletableFuture.runAsync(() -> signed("client", "CN=contact-list-bridge",
                null));
        CompletableFuture<Void> untrusted = CompletableFuture.runAsync(() -> keytool("-genkeypair", "-alias",
                "untrusted", "-dname", "CN=contact-list-bridge", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", file("untrusted-client.p12"), "-storepass",
                password, "-keypass", password));
        CompletableFuture.allOf(truststore, broker, client, untrusted).join();
    }

    /** A key pair whose certificate the test CA signs, stored with the CA certificate as its chain. */
    private void signed(String name, String subject, String extension) {
        String store = file(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-dname", subject, "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store, "-storepass", password, "-keypass",
                password);
        keytool("-certreq", "-alias", name, "-keystore", store, "-storepass", password, "-file", file(name + ".csr"));
        List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", file("ca.p12"),
                "-storepass", password, "-validity", "2", "-infile", file(name + ".csr"), "-outfile",
                file(name + ".crt")));
        if (extension != null) {
            sign.addAll(List.of("-ext", extension));
        }
        keytool(sign.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file("ca.crt"), "-keystore", store,
                "-storepass", password);
        keytool("-importcert", "-alias", name, "-file", file(name + ".crt"), "-keystore", store, "-storepass",
                password);
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // Each run is a short-lived JVM: the quick compiler and collector are enough.
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
