package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spack.gantry.testing.Webhooks;

/** A Pipeline Hook, as GitLab's docs ("Webhook events" -> "Pipeline events") show it, read into its failed build jobs. */
class PipelineEventReaderTest {
    private final PipelineEventReader reader = new PipelineEventReader();

    @Test
    void aFailedPipelineGivesItsFailedBuildJobsOnly() throws Exception {
        JsonObject hook = Webhooks.pipeline(31, "develop", "failed");
        JsonArray builds = hook.getAsJsonArray("builds");
        builds.add(Webhooks.pipelineBuild(378, "stage-1", "failed", 1_700_000_000L, 1_700_000_600L, "aws"));
        builds.add(Webhooks.pipelineBuild(379, "stage-2", "success", 1_700_000_000L, 1_700_000_600L, "aws"));
        builds.add(Webhooks.pipelineBuild(380, "generate", "failed", 1_700_000_000L, 1_700_000_600L, "aws"));
        builds.add(Webhooks.pipelineBuild(381, "stage-3", "failed", 1_700_000_000L, 1_700_000_900L, "uo-x86"));
        builds.add(Webhooks.pipelineBuild(382, "stage-3", "failed", 1_700_000_100L, 1_700_000_900L, "aws"));
        builds.add(Webhooks.pipelineBuild(383, "stage-3", "skipped", null, null, null));
        PipelineEventReader.Failed f = (PipelineEventReader.Failed) reader.read(new StringReader(hook.toString()));
        assertEquals(31, f.pipeline().pipelineId());
        assertEquals("develop", f.pipeline().ref());
        assertEquals(List.of(new FailedJob(378, 1_700_000_000L, 1_700_000_600L, "develop", 31L),
                new FailedJob(382, 1_700_000_100L, 1_700_000_900L, "develop", 31L)), f.pipeline().failedJobs());
    }

    @Test
    void anythingElseIsDroppedAndOnlyWhatIsNotAPipelineObjectIsRefused() throws Exception {
        JsonObject ok = Webhooks.pipeline(32, "develop", "success");
        ok.getAsJsonArray("builds").add(Webhooks.pipelineBuild(390, "stage-1", "success", 1L, 2L, "aws"));
        assertEquals(new PipelineEventReader.Dropped("pipeline did not fail"), reader.read(new StringReader(ok.toString())));
        JsonObject noBuild = Webhooks.pipeline(33, "develop", "failed");
        noBuild.getAsJsonArray("builds").add(Webhooks.pipelineBuild(391, "build", "failed", 1L, 2L, "aws"));
        assertEquals(new PipelineEventReader.Dropped("no failed build job"), reader.read(new StringReader(noBuild.toString())));
        assertThrows(InvalidWebhookException.class, () -> reader.read(new StringReader("[1, 2]")));
        assertThrows(InvalidWebhookException.class, () -> reader.read(new StringReader("{\"object_attributes\": ")));
    }

    @Test
    void aFailedJobsHookIsAdmittedOnlyWhileOomKillsAreLookedFor() throws Exception {
        JsonObject failed = Webhooks.failed(4242, 1_700_000_000L, 1_700_000_600L, 77);
        assertEquals(new Admission.Dropped("not a successful job"), new JobEventReader().fromWebhook(failed.toString()));
        assertEquals(new Admission.AdmittedFailure(new FailedJob(4242, 1_700_000_000L, 1_700_000_600L, "develop", 77L)),
                new JobEventReader(true).fromWebhook(failed.toString()));
        failed.addProperty("build_stage", "generate");
        assertEquals(new Admission.Dropped("not a build stage"), new JobEventReader(true).fromWebhook(failed.toString()));
        failed.addProperty("build_id", "x");
        assertEquals(new Admission.Dropped("failed job not readable: field build_id must be an integer"),
                new JobEventReader(true).fromWebhook(failed.toString()), "never a 400: GitLab counts it against the hook");
    }
}
