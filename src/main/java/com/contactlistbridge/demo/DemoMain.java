package com.contactlistbridge.demo;

import java.util.List;

import com.contactlistbridge.sandbox.KoreSandbox;

/**
 * Entry point of the demo kit (contact-list-bridge-demo.jar): {@code demo [--keep-running] [--verbose]} runs the
 * one-machine demo, {@code sandbox} the Kore.ai stand-in on its own. The production jar launches it for these two
 * commands; the demo kit is never on the production classpath.
 */
public final class DemoMain {

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Runs a demo-kit command and returns the process exit code. */
    public static int run(String[] args) throws Exception {
        List<String> arguments = List.of(args);
        String command = arguments.isEmpty() ? "demo" : arguments.get(0);
        switch (command) {
            case "demo" -> {
                boolean keepRunning = arguments.contains("--keep-running");
                boolean verbose = arguments.contains("--verbose");
                return new DemoRunner(System.out, keepRunning, verbose).run();
            }
            case "sandbox" -> {
                // The stand-in for Kore.ai as its own process (docker compose); never part of the production bridge.
                KoreSandbox.fromEnvironment(System.getenv()).run();
                return 0;
            }
            default -> {
                System.err.println("unknown demo kit command '" + command + "': use demo [--keep-running] "
                        + "[--verbose] or sandbox");
                return 2;
            }
        }
    }
}
