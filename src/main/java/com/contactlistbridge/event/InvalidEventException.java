package com.contactlistbridge.event;

/** Thrown when a CRM event cannot become a Create Contact List request; the message names the exact problem. */
public class InvalidEventException extends Exception {

    public InvalidEventException(String message) {
        super(message);
    }
}
