package com.contactlistbridge.config;

import java.util.List;

/** Stops the start-up with one message that names every missing or invalid setting. */
public class InvalidSettingsException extends IllegalStateException {

    private final List<String> problems;

    public InvalidSettingsException(List<String> problems) {
        super(format(problems, "setting needs", "settings need", "Set them in config/application.properties or as "
                + "environment variables. To try the bridge without Kore.ai credentials, run: "
                + "java -jar contact-list-bridge.jar demo"));
        this.problems = List.copyOf(problems);
    }

    /** Problems of the flows in routes/ (the YAML files), reported the same way. */
    public static InvalidSettingsException ofFlows(List<String> problems) {
        return new InvalidSettingsException(problems, format(problems, "flow problem needs", "flow problems need",
                "Fix the files in routes/ (README \"Add a flow\")."));
    }

    private InvalidSettingsException(List<String> problems, String message) {
        super(message);
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems, String one, String many, String advice) {
        StringBuilder text = new StringBuilder("contact-list-bridge cannot start: ").append(problems.size())
                .append(' ').append(problems.size() == 1 ? one : many).append(" fixing");
        for (String problem : problems) {
            text.append(System.lineSeparator()).append("  - ").append(problem);
        }
        text.append(System.lineSeparator()).append(advice);
        return text.toString();
    }
}
