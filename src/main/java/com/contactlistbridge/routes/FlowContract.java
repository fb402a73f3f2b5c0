package com.contactlistbridge.routes;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a bean method that flows call: the exchange properties and variables the flow must set before the call, and the
 * variables the method sets for later steps. The start-up checks ({@link FlowChecks}) refuse a flow that calls the
 * method without setting them, so a misspelt name stops the start instead of dead-lettering every event.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface FlowContract {

    /** Exchange properties the flow must set (setProperty) before calling the method. */
    String[] properties() default {};

    /** Variables the flow must set (setVariable) before calling the method. */
    String[] variables() default {};

    /** Variables the method sets, e.g. koreRequest (the body of a Kore.ai call). */
    String[] setsVariables() default {};
}
