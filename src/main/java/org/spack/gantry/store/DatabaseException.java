package org.spack.gantry.store;

/** The database could not be opened, read or written; the message says which and why. */
public class DatabaseException extends RuntimeException {
    public DatabaseException(String message, Throwable cause) {
        super(message, cause);
    }

    public DatabaseException(String message) {
        super(message);
    }
}
