package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.testing.TestWorkers;

/** Group commit: what a webhook's answer waits for, and what one bad event may not spoil. */
class IntakeWriterTest {
    @TempDir
    Path dir;

    private Path file;
    private Database db;
    private IntakeWriter writer;
    private final AtomicInteger commitsAdding = new AtomicInteger();

    @BeforeEach
    void setUp() {
        file = TestDatabases.migrated(dir);
        db = Database.open(file, 2);
        writer = new IntakeWriter(db, new QueueStore(), commitsAdding::incrementAndGet, TestWorkers.worker("intake"),
                Clock.systemUTC()).start();
    }

    @AfterEach
    void tearDown() {
        writer.close();
        db.close();
    }

    @Test
    void anEventIsReadableByAnotherConnectionOnceItsWriteCompletes() {
        assertTrue(writer.write(arrival(42, "{}")).join());
        // a fresh connection, as after a crash: committed, not merely written
        assertEquals(1, TestDatabases.count(file, "SELECT count(*) FROM collection_queue WHERE build_id = 42"));
        assertFalse(writer.write(arrival(42, "{}")).join(), "the same build again is a duplicate");
    }

    @Test
    void concurrentWebhooksShareCommits() throws Exception {
        int n = 2_000;
        List<CompletableFuture<Boolean>> results = submitConcurrently(n, 32);
        for (CompletableFuture<Boolean> r : results) {
            assertTrue(r.join());
        }
        assertEquals(n, TestDatabases.count(file, "SELECT count(*) FROM collection_queue"));
        assertTrue(commitsAdding.get() < n / 2, n + " events took " + commitsAdding.get() + " commits");
    }

    @Test
    void anEventTheDatabaseRefusesFailsAloneAndTheRestOfItsBatchIsStored() throws Exception {
        // a row the database refuses (as it would a corrupt page or a constraint), among many
        TestDatabases.execute(file, "CREATE TRIGGER refuse BEFORE INSERT ON collection_queue WHEN NEW.build_id = 777"
                + " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
        List<CompletableFuture<Boolean>> results = submitConcurrently(1_000, 32);
        for (int i = 0; i < results.size(); i++) {
            if (i == 777) {
                CompletionException e = assertThrows(CompletionException.class, results.get(i)::join);
                assertTrue(e.getCause().getMessage().contains("refused by the test"), e.getCause().getMessage());
            } else {
                assertTrue(results.get(i).join(), "event " + i);
            }
        }
        assertEquals(999, TestDatabases.count(file, "SELECT count(*) FROM collection_queue"));
    }

    @Test
    void afterCloseEventsAreRefusedNotLost() {
        writer.close();
        CompletionException e = assertThrows(CompletionException.class, () -> writer.write(arrival(1, "{}")).join());
        assertEquals("Gantry is stopping", e.getCause().getMessage());
        assertEquals(0, TestDatabases.count(file, "SELECT count(*) FROM collection_queue"));
    }

    @Test
    void aFailedJobAndAFailedPipelineAreCommittedBeforeTheirAnswerAndOncePreviousReleasesSkipThem() throws Exception {
        String hook = org.spack.gantry.testing.Webhooks.failed(51, 1_700_000_000L, 1_700_000_600L, 9).toString();
        Admission failed = new JobEventReader(true).fromWebhook(hook);
        assertTrue(writer.write(new IntakeWriter.Arrival(failed, "webhook", hook)).join());
        // a job that ended just now (the writer's clock is the system's)
        long end52 = System.currentTimeMillis() / 1000 + 10;
        FailedJob job52 = new FailedJob(52, end52 - 700, end52, "develop", 9L);
        IntakeWriter.PipelineArrival pipeline = new IntakeWriter.PipelineArrival(new FailedPipeline(9, "develop",
                List.of(new FailedJob(51, 1_700_000_000L, 1_700_000_600L, "develop", 9L), job52)));
        assertTrue(writer.write(pipeline).join());
        assertFalse(writer.write(pipeline).join(), "the same pipeline again is a duplicate");
        // committed: another connection sees each job once, failed, and the pipeline with both
        assertEquals(2, TestDatabases.count(file, "SELECT count(*) FROM collection_queue WHERE job_status = 'failed'"
                + " AND state = 'pending'"));
        assertEquals(2, TestDatabases.count(file, "SELECT count(*) FROM failed_pipeline_jobs WHERE pipeline_id = 9"));
        assertEquals(end52, TestDatabases.count(file, "SELECT job_end FROM failed_jobs WHERE build_id = 52"));
        // not before Prometheus has surely scraped the container's end
        assertEquals(end52 + 120, TestDatabases.count(file, "SELECT CAST(next_attempt_at AS INTEGER) FROM collection_queue"
                + " WHERE build_id = 52"), "due 120 s after the job ended");
        assertTrue(TestDatabases.count(file, "SELECT CAST(next_attempt_at AS INTEGER) FROM collection_queue"
                + " WHERE build_id = 51") < end52, "a job that ended long ago is due at once");
        // a previous release, which reads successes only, finds no facts in the rows and reads their payload: not a success
        assertEquals(0, TestDatabases.count(file, "SELECT count(*) FROM collection_queue WHERE job_start IS NOT NULL"
                + " OR job_end IS NOT NULL OR ref IS NOT NULL"));
        for (long id : new long[] {51, 52}) {
            String payload = TestDatabases.text(file, "SELECT payload FROM collection_queue WHERE build_id = " + id);
            assertEquals(new Admission.Dropped("not a successful job"), new JobEventReader().fromWebhook(payload));
        }
    }

    /** Ids 0..n-1 from {@code threads} threads released at once, in id order. */
    private List<CompletableFuture<Boolean>> submitConcurrently(int n, int threads) throws InterruptedException {
        List<CompletableFuture<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) results.add(null);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            int first = t;
            pool.execute(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = first; i < n; i += threads) {
                    results.set(i, writer.write(arrival(i, "{}")));
                }
            });
        }
        go.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        return results;
    }

    private static IntakeWriter.Arrival arrival(long buildId, String document) {
        return new IntakeWriter.Arrival(new Admission.Admitted(new JobEvent(buildId, 1, 2, "develop")), "webhook", document);
    }
}
