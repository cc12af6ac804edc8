package org.spack.gantry.cli;

/** A command could not do its job; the message is the one line the operator sees, the cause why. */
public final class CommandFailure extends RuntimeException {
    public CommandFailure(String message) {
        super(message);
    }

    public CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
