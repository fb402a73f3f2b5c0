package com.contactlistbridge;

import java.util.List;

import com.contactlistbridge.config.BridgeConfiguration;
import com.contactlistbridge.config.InvalidSettingsException;
import com.contactlistbridge.ops.HeapFootprint;
import com.contactlistbridge.replay.ReplayCommand;
import com.contactlistbridge.routes.BridgeRouteConfiguration;
import com.contactlistbridge.routes.ConsumeTopicTemplate;
import com.contactlistbridge.routes.KoreCallTemplate;
import com.contactlistbridge.routes.KoreRoutes;
import com.contactlistbridge.routes.OutcomeRoutes;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainConfigurationProperties;
import org.slf4j.LoggerFactory;

/**
 * camel-main entry point of contact-list-bridge: no command runs the production bridge, {@code replay} re-publishes
 * dead letters; {@code demo} (the one-machine demo) and {@code sandbox} (the Kore.ai stand-in on its own) run the
 * demo kit, which is not part of the production jar (see {@link DemoKitLauncher}).
 */
public final class Application {

    /** Defaults live in the working directory so operators can edit them without rebuilding. */
    public static final String PROPERTIES_LOCATION = "file:config/application.properties";

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length > 0 ? args[0] : "";
        if (command.equals("demo") || command.equals("sandbox")) {
            // The demo kit (broker, sandbox) lives in contact-list-bridge-demo.jar, never in the production jar.
            System.exit(DemoKitLauncher.run(args, System.err));
        }
        if (command.equals("replay")) {
            // Re-publishes dead letters with the bridge's configuration; it starts no routes (see ReplayCommand).
            System.exit(new ReplayCommand(System.getenv(), System.out, System.err)
                    .run(List.of(args).subList(1, args.length)));
        }
        // Before the start-up allocates: G1 sizes the heap from the first collections on.
        LoggerFactory.getLogger(Application.class).info("Memory: {}", HeapFootprint.apply());
        try {
            System.exit(newMain().run(args));
        } catch (Exception e) {
            InvalidSettingsException invalid = findInvalidSettings(e);
            if (invalid == null) {
                throw e;
            }
            // A configuration mistake is not a crash: print the list of problems, not a stack trace.
            System.err.println(invalid.getMessage());
            System.exit(2);
        }
    }

    /** Builds the production bridge: settings, beans, the Java plumbing routes and the YAML routes from routes/. */
    public static Main newMain() {
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation(PROPERTIES_LOCATION);
        configure(main.configure());
        return main;
    }

    /** Adds the bridge's beans and Java routes; the YAML routes come from camel.main.routes-include-pattern. */
    public static void configure(MainConfigurationProperties configuration) {
        configuration.addConfiguration(BridgeConfiguration.class);
        configuration.addRoutesBuilder(new BridgeRouteConfiguration());
        configuration.addRoutesBuilder(new ConsumeTopicTemplate());
        configuration.addRoutesBuilder(new KoreRoutes());
        configuration.addRoutesBuilder(new KoreCallTemplate());
        configuration.addRoutesBuilder(new OutcomeRoutes());
    }

    private static InvalidSettingsException findInvalidSettings(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidSettingsException invalid) {
                return invalid;
            }
        }
        return null;
    }
}
