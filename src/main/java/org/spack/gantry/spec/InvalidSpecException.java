package org.spack.gantry.spec;

/**
 * A spec that cannot be parsed; the HTTP layer answers it with 400 {@code invalid spec}.
 * An answer, not a fault: it carries no stack trace, whose capture would cost more
 * than parsing the spec did.
 */
public class InvalidSpecException extends RuntimeException {
    public InvalidSpecException(String message) {
        super(message, null, false, false);
    }
}
