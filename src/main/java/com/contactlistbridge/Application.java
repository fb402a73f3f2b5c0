package com.contactlistbridge;

import com.contactlistbridge.config.BridgeConfiguration;
import com.contactlistbridge.routes.BridgeRouteConfiguration;
import com.contactlistbridge.routes.KoreRoutes;
import com.contactlistbridge.routes.OutcomeRoutes;
import org.apache.camel.main.Main;

/** camel-main entry point of contact-list-bridge. */
public final class Application {

    /** Defaults live in the working directory so operators can edit them without rebuilding. */
    public static final String PROPERTIES_LOCATION = "file:config/application.properties";

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        Main main = newMain();
        int exit = main.run(args);
        System.exit(exit);
    }

    /** Builds the production bridge: settings, beans, the Java plumbing routes and the YAML routes from routes/. */
    public static Main newMain() {
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation(PROPERTIES_LOCATION);
        main.configure().addConfiguration(BridgeConfiguration.class);
        main.configure().addRoutesBuilder(new BridgeRouteConfiguration());
        main.configure().addRoutesBuilder(new KoreRoutes());
        main.configure().addRoutesBuilder(new OutcomeRoutes());
        return main;
    }
}
