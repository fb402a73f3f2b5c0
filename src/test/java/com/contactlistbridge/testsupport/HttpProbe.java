package com.contactlistbridge.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * GETs of the bridge's management endpoints (health, metrics) for tests that watch them change. Every request has a
 * timeout and speaks HTTP/1.1 as probes and scrapers do: the JDK client's default (HTTP/2, by an h2c upgrade of the
 * first request) without a timeout once left a scrape waiting for ever, so an await never saw the value it polled for.
 */
public final class HttpProbe {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    private HttpProbe() {
    }

    /** The HTTP status of a GET of {@code url}, or -1 when nothing answered (within 10 s). */
    public static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The body of a GET of {@code url}. */
    public static String body(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
