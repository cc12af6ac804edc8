package org.spack.gantry.collect;

/** A webhook body that cannot be a Job Hook; answered with 400 and this message. */
public class InvalidWebhookException extends Exception {
    public InvalidWebhookException(String message) {
        super(message);
    }
}
