package com.contactlistbridge.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Keeps the figures a test measured (the README's "Measured" section quotes them) in {@code target/measured.txt}, one
 * line per run of a scenario, besides printing them: a build leaves them for the next README update.
 */
public final class Measured {

    private static final Path FILE = Path.of("target", "measured.txt");

    private Measured() {
    }

    /** Prints {@code line} and appends it, with the time, to {@code target/measured.txt}. */
    public static synchronized void keep(String line) {
        System.out.println(line);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, Instant.now() + " " + line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the figures in " + FILE, e);
        }
    }
}
