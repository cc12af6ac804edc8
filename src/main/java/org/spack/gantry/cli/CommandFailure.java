package org.spack.gantry.cli;

/** A command could not do its job; the message is the one line the operator sees. */
public final class CommandFailure extends RuntimeException {
    public CommandFailure(String message) {
        super(message);
    }
}
