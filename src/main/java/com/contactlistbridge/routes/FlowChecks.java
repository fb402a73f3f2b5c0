package com.contactlistbridge.routes;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.contactlistbridge.config.InvalidSettingsException;
import com.contactlistbridge.kore.KoreRequestFactory;
import com.contactlistbridge.ops.LogEscaping;
import org.apache.camel.CamelContext;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.errorhandler.DeadLetterChannelDefinition;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetPropertyDefinition;
import org.apache.camel.model.SetVariableDefinition;
import org.apache.camel.model.ToDefinition;

/**
 * Start-up checks of the flows in routes/*.camel.yaml, before any event is read: every consume-topic block feeds a
 * flow that exists; every flow has the bridge's error handling (no routeConfigurationId, no errorHandler of its own,
 * so no flow can loop on a bad event); every bean method with a {@link FlowContract} gets the properties and
 * variables it reads; every Kore.ai call gets its body and its path variables. Problems are reported together,
 * each naming the file and route.
 */
public final class FlowChecks {

    private static final Pattern PATH_VARIABLE = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)}");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}]+)}}");
    /**
     * Longest flow name: Kafka allows 249 characters in a group.instance.id, and the consume-topic block's is
     * {@code contact-list-bridge-<flow>-<host name and a random part>} (see StaticGroupMembership).
     */
    public static final int MAX_FLOW_NAME = 100;
    /** What Kafka allows in a group.instance.id; also safe in a direct: endpoint and a route id. */
    private static final Pattern FLOW_NAME = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_FLOW_NAME + "}");
    /** The rule of {@link #isFlowName}, for messages. */
    public static final String FLOW_NAME_RULE = "letters, digits, '.', '_' and '-' (1 to " + MAX_FLOW_NAME
            + " of them)";

    private FlowChecks() {
    }

    /**
     * @throws InvalidSettingsException listing every problem of every flow
     */
    public static void verify(CamelContext context) {
        List<RouteDefinition> routes = ((ModelCamelContext) context).getRouteDefinitions();
        List<String> problems = new ArrayList<>();
        checkSettings(context, routes, problems);
        for (RouteDefinition consumer : routes) {
            if (!ConsumeTopicTemplate.GROUP.equals(consumer.getGroup())) {
                continue;
            }
            String flowName = String.valueOf(parameters(consumer).get("flow"));
            String where = location(consumer, "route");
            if (!isFlowName(flowName)) {
                problems.add(where + ": the flow name '" + shown(flowName) + "' may have only "
                        + FLOW_NAME_RULE + ": it names the flow's route (direct:<flow>) and its Kafka consumer's "
                        + "static member id");
                continue;
            }
            RouteDefinition flow = routeFrom(routes, "direct:" + flowName);
            if (flow == null) {
                problems.add(where + ": consume-topic feeds the flow '" + flowName + "', but no route starts with "
                        + "direct:" + flowName);
                continue;
            }
            checkFlow(context, routes, flow, problems);
        }
        if (!problems.isEmpty()) {
            throw InvalidSettingsException.ofFlows(problems);
        }
    }

    /**
     * The topics the flows publish to: the outcome and dead-letter topics of every consume-topic block, settings
     * resolved.
     */
    public static Set<String> publishedTopics(CamelContext context) {
        Set<String> topics = new LinkedHashSet<>();
        for (RouteDefinition consumer : ((ModelCamelContext) context).getRouteDefinitions()) {
            if (!ConsumeTopicTemplate.GROUP.equals(consumer.getGroup())) {
                continue;
            }
            for (String parameter : List.of("outcomeTopic", "deadLetterTopic")) {
                Object value = parameters(consumer).get(parameter);
                if (value != null) {
                    topics.add(context.resolvePropertyPlaceholders(value.toString()));
                }
            }
        }
        return topics;
    }

    /** True for a name a flow may have: {@link #FLOW_NAME_RULE}. */
    public static boolean isFlowName(String name) {
        return name != null && FLOW_NAME.matcher(name).matches();
    }

    /** A refused flow name for a message: on one line, and cut after 120 characters. */
    public static String shown(String name) {
        String cut = name.length() > MAX_FLOW_NAME + 20
                ? name.substring(0, MAX_FLOW_NAME + 20) + "... (" + name.length() + " characters)" : name;
        return LogEscaping.text(cut);
    }

    /** Every setting a block's parameters name ({{key}}) exists: else the start would fail deep in Camel. */
    private static void checkSettings(CamelContext context, List<RouteDefinition> routes, List<String> problems) {
        Set<String> reported = new LinkedHashSet<>();
        for (RouteDefinition route : routes) {
            parameters(route).forEach((name, value) -> {
                Matcher matcher = PLACEHOLDER.matcher(String.valueOf(value));
                while (matcher.find()) {
                    String key = matcher.group(1);
                    int colon = key.indexOf(':');
                    boolean withDefault = colon > 0 && !key.startsWith("env:") && !key.startsWith("sys:");
                    if (!withDefault && context.getPropertiesComponent().resolveProperty(key).isEmpty()
                            && reported.add(key)) {
                        problems.add(key + " (env " + com.contactlistbridge.config.BridgeSettings.envName(key)
                                + ") is missing: " + location(route, "route") + " uses it for " + name);
                    }
                }
            });
        }
    }

    private static void checkFlow(CamelContext context, List<RouteDefinition> routes, RouteDefinition flow,
                                  List<String> problems) {
        String where = location(flow, "flow");
        if (flow.getRouteConfigurationId() != null
                || !(flow.getErrorHandlerFactory() instanceof DeadLetterChannelDefinition dlc)
                || !OutcomeRoutes.DEAD_LETTER.equals(dlc.getDeadLetterUri())) {
            problems.add(where + ": remove routeConfigurationId and errorHandler: the bridge's error handling (retries, "
                    + "dead letters with the original record) applies to every flow, and without it a bad event "
                    + "would be read again and again");
        }
        Set<String> set = new LinkedHashSet<>();
        walk(context, routes, flow, flow.getOutputs(), set, problems, where, new LinkedHashSet<>());
    }

    /** Follows the flow's steps in order, and the direct: routes it calls, checking what each step needs. */
    private static void walk(CamelContext context, List<RouteDefinition> routes, RouteDefinition route,
                             List<ProcessorDefinition<?>> steps, Set<String> set, List<String> problems, String where,
                             Set<String> visited) {
        for (ProcessorDefinition<?> step : steps) {
            if (step instanceof SetPropertyDefinition property) {
                set.add("property " + property.getName());
            } else if (step instanceof SetVariableDefinition variable) {
                set.add("variable " + variable.getName());
            } else if (step instanceof BeanDefinition bean && bean.getRef() != null && bean.getMethod() != null) {
                checkBean(context, bean, set, problems, where);
            } else if (step instanceof ToDefinition to && to.getUri() != null) {
                String uri = resolve(to.getUri(), parameters(route)).replace("direct://", "direct:");
                RouteDefinition target = uri.startsWith("direct:") ? routeFrom(routes, uri) : null;
                if (target != null && visited.add(uri)) {
                    checkKoreCall(target, set, problems, where);
                    walk(context, routes, target, target.getOutputs(), set, problems, where, visited);
                }
            }
            walk(context, routes, route, step.getOutputs(), set, problems, where, visited);
        }
    }

    private static void checkBean(CamelContext context, BeanDefinition bean, Set<String> set, List<String> problems,
                                  String where) {
        Object instance = context.getRegistry().lookupByName(bean.getRef());
        if (instance == null) {
            problems.add(at(where, bean) + ": step " + bean.getId() + " calls the bean '" + bean.getRef() + "', which does not "
                    + "exist");
            return;
        }
        for (Method method : instance.getClass().getMethods()) {
            FlowContract contract = method.getAnnotation(FlowContract.class);
            if (contract == null || !method.getName().equals(bean.getMethod())) {
                continue;
            }
            for (String name : contract.properties()) {
                require(set, "property " + name, "setProperty", bean, problems, where);
            }
            for (String name : contract.variables()) {
                require(set, "variable " + name, "setVariable", bean, problems, where);
            }
            for (String name : contract.setsVariables()) {
                set.add("variable " + name);
            }
        }
    }

    private static void require(Set<String> set, String name, String how, BeanDefinition bean, List<String> problems,
                                String where) {
        if (!set.contains(name)) {
            problems.add(at(where, bean) + ": step " + bean.getId() + " (" + bean.getRef() + "." + bean.getMethod() + ") reads "
                    + "the " + name + ", which no step before it sets (" + how + " name: "
                    + name.substring(name.indexOf(' ') + 1) + ")");
        }
    }

    /** A kore-call needs its body (POST, PUT) and the variables its path names. */
    private static void checkKoreCall(RouteDefinition call, Set<String> set, List<String> problems, String where) {
        Map<String, Object> parameters = parameters(call);
        if (parameters.get("path") == null || parameters.get("method") == null) {
            return;
        }
        String method = String.valueOf(parameters.get("method"));
        if ((method.equals("POST") || method.equals("PUT"))
                && set.stream().noneMatch(name -> name.equals("variable " + KoreRequestFactory.REQUEST)
                || name.startsWith("variable " + KoreRequestFactory.REQUEST_FIELD_PREFIX))) {
            problems.add(where + ": the Kore.ai call " + call.getRouteId() + " (" + method + ") needs a body: set the "
                    + "variable " + KoreRequestFactory.REQUEST + " or " + KoreRequestFactory.REQUEST_FIELD_PREFIX
                    + "<field> variables before it");
        }
        Matcher matcher = PATH_VARIABLE.matcher(String.valueOf(parameters.get("path")));
        while (matcher.find()) {
            if (!set.contains("variable " + matcher.group(1))) {
                problems.add(where + ": the Kore.ai call " + call.getRouteId() + " has {" + matcher.group(1)
                        + "} in its path: set the variable " + matcher.group(1) + " before it");
            }
        }
    }

    /** The problem's place: file:line (flow ...) when Camel recorded the step's line. */
    private static String at(String where, ProcessorDefinition<?> step) {
        int line = step.getLineNumber();
        int file = where.indexOf(" (");
        return line > 0 && file > 0 ? where.substring(0, file) + ":" + line + where.substring(file) : where;
    }


    private static RouteDefinition routeFrom(List<RouteDefinition> routes, String uri) {
        for (RouteDefinition route : routes) {
            String from = route.getInput() == null ? null : route.getInput().getEndpointUri();
            if (from != null && resolve(from, parameters(route)).replace("direct://", "direct:").equals(uri)) {
                return route;
            }
        }
        return null;
    }

    private static Map<String, Object> parameters(RouteDefinition route) {
        return route.getTemplateParameters() != null ? route.getTemplateParameters() : Map.of();
    }

    /** Template parameters in a route made from a template ({{name}}); other placeholders stay. */
    private static String resolve(String text, Map<String, Object> parameters) {
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            Object value = parameters.get(matcher.group(1));
            matcher.appendReplacement(out, Matcher.quoteReplacement(value != null ? value.toString()
                    : matcher.group()));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** "file (flow id)" when Camel knows the route's file, else "flow id". */
    private static String location(RouteDefinition route, String kind) {
        String named = kind + " " + route.getRouteId();
        if (route.getResource() != null && route.getResource().getLocation() != null) {
            return route.getResource().getLocation() + " (" + named + ")";
        }
        return named;
    }
}
