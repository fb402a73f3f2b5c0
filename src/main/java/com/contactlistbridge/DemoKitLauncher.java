package com.contactlistbridge;

import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the demo kit's commands ({@code demo}, {@code sandbox}) from the production jar, which does not hold the kit:
 * in this JVM when the kit is on the classpath (the build's classes), otherwise as a child JVM whose classpath is this
 * jar, contact-list-bridge-demo.jar and demo-lib/ (the broker's jars) from this jar's directory.
 */
final class DemoKitLauncher {

    static final String DEMO_MAIN = "com.contactlistbridge.demo.DemoMain";
    static final String DEMO_JAR = "contact-list-bridge-demo.jar";
    static final String DEMO_LIB = "demo-lib";
    /** How long a stopped launcher waits for the demo JVM to stop (broker, sandbox and bridge shut down). */
    private static final long CHILD_STOP_SECONDS = 30;

    private DemoKitLauncher() {
    }

    static int run(String[] args, PrintStream err) throws Exception {
        Class<?> demoMain = demoKitOnClasspath();
        if (demoMain != null) {
            try {
                return (int) demoMain.getMethod("run", String[].class).invoke(null, (Object) args);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
        Path productionJar = productionJar();
        Path demoJar = productionJar == null ? null : productionJar.resolveSibling(DEMO_JAR);
        Path demoLib = productionJar == null ? null : productionJar.resolveSibling(DEMO_LIB);
        if (demoJar == null || !Files.isRegularFile(demoJar) || !Files.isDirectory(demoLib)) {
            err.println("The demo kit (in-process Kafka broker, Kore.ai sandbox) is not part of the production jar. "
                    + "It is " + (demoJar == null ? DEMO_JAR : demoJar) + " and the jars in "
                    + (demoLib == null ? DEMO_LIB : demoLib) + ", built next to it by "
                    + "./mvnw -B -q package -DskipTests in the project directory.");
            return 2;
        }
        return runChild(String.join(File.pathSeparator, productionJar.toString(), demoJar.toString(),
                demoLib.resolve("*").toString()), args);
    }

    private static Class<?> demoKitOnClasspath() {
        try {
            return Class.forName(DEMO_MAIN, false, DemoKitLauncher.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    /** The jar this class was loaded from; null when it was not loaded from a jar. */
    static Path productionJar() {
        CodeSource source = DemoKitLauncher.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return null;
        }
        try {
            Path location = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(location) ? location : null;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The demo as a child JVM sharing this terminal. Ctrl+C reaches both (one process group); a SIGTERM to this JVM
     * alone is passed on, and this JVM exits only after the child did, so the broker's temp dir is always removed.
     */
    private static int runChild(String classpath, String[] args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(classpath);
        command.add(DEMO_MAIN);
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).inheritIO().start();
        Thread stopChild = new Thread(() -> {
            child.destroy();
            try {
                child.waitFor(CHILD_STOP_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-kit-stop");
        Runtime.getRuntime().addShutdownHook(stopChild);
        int exit = child.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stopChild);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs already and waits for the child, which has ended
        }
        return exit;
    }
}
