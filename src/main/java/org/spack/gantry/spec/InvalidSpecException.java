package org.spack.gantry.spec;

/** A spec that cannot be parsed; the HTTP layer answers it with 400 {@code invalid spec}. */
public class InvalidSpecException extends RuntimeException {
    public InvalidSpecException(String message) {
        super(message);
    }
}
