package org.spack.gantry.cli;

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
        // held while serving, so that a restore does not swap the database under a server
        ServeLock serving = config.sharedDatabase() ? ServeLock.NONE : ServeLock.forServing(config.dbFile());
        Application app = new Application(config, BuildInfo.load(), Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            serving.close();
            stopped.countDown();
        }, "shutdown"));
        app.start();
        stopped.await();
        return 0;
    }
}
