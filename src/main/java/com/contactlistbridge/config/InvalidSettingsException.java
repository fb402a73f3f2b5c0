package com.contactlistbridge.config;

import java.util.List;

/** Stops the start-up with one message that names every missing or invalid setting. */
public class InvalidSettingsException extends IllegalStateException {

    private final List<String> problems;

    public InvalidSettingsException(List<String> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        StringBuilder text = new StringBuilder("contact-list-bridge cannot start: ").append(problems.size())
                .append(problems.size() == 1 ? " setting needs" : " settings need").append(" fixing");
        for (String problem : problems) {
            text.append(System.lineSeparator()).append("  - ").append(problem);
        }
        text.append(System.lineSeparator()).append("Set them in config/application.properties or as environment "
                + "variables. To try the bridge without Kore.ai credentials, run: java -jar contact-list-bridge.jar demo");
        return text.toString();
    }
}
