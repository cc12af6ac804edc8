package org.spack.gantry.cli;

import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.spack.gantry.Application;
import org.spack.gantry.config.Config;
import org.spack.gantry.config.ConfigSource;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.store.ServeLock;
import picocli.CommandLine.Command;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the HTTP server in the foreground (what systemd runs).",
                "Applies pending migrations first. Stops cleanly on SIGTERM or Ctrl-C."})
public final class ServeCommand implements Callable<Integer> {
    private final ConfigSource configSource;

    public ServeCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    @Override
    public Integer call() throws InterruptedException {
        // configuration first: it sets up logging, which must precede the first logger
        Config config = configSource.load();
        checkHost(config.host());
        // held while serving: a restore refuses to replace the database under a server, unless forced
        // (on PostgreSQL restore refuses anyway: there is no file to guard)
        ServeLock serving = config.sharedDatabase() ? ServeLock.NONE : ServeLock.forServing(config.dbFile());
        Application app = new Application(config, BuildInfo.load(), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            serving.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            app.start();
        } catch (RuntimeException e) {
            throw cannotListen(config, e);
        }
        stopped.await();
        return 0;
    }

    /** Before anything starts: a host name that does not resolve is a setting to fix, said in one line. */
    private static void checkHost(String host) {
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new CommandFailure("GANTRY_HOST '" + host + "' is neither an address nor a host name this machine can"
                    + " resolve (" + e.getMessage() + ")", e);
        }
    }

    /** The server could not bind: an address of another machine, or a port already taken. */
    private static RuntimeException cannotListen(Config config, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException bind) {
                return new CommandFailure("cannot listen on " + config.host() + ":" + config.port() + ": " + bind.getMessage()
                        + " (GANTRY_HOST must be an address of this machine, GANTRY_PORT a port no other program uses)", e);
            }
        }
        return e;
    }
}
