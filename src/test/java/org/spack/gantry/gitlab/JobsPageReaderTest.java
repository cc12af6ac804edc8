package org.spack.gantry.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spack.gantry.upstream.UnusableAnswer;

/** A jobs page read as it arrives: what is kept of a job, and what is refused. */
class JobsPageReaderTest {
    /** A job as GitLab's Jobs API documents it ("List project jobs", example of response). */
    private static final String DOCUMENTED = """
            {"commit":{"author_email":"admin@example.com","author_name":"Administrator","created_at":"2015-12-24T16:51:14.000+01:00",
            "id":"0ff3ae198f8601a285adcf5c0fff204ee6fba5fd","message":"Test the CI integration.","short_id":"0ff3ae19",
            "title":"Test the CI integration."},"coverage":null,"allow_failure":false,"created_at":"2015-12-24T15:51:21.802Z",
            "started_at":"2015-12-24T17:54:27.722Z","finished_at":"2015-12-24T17:54:27.895Z","erased_at":null,"duration":0.173,
            "queued_duration":0.010,"artifacts_file":{"filename":"artifacts.zip","size":1000},
            "artifacts":[{"file_type":"archive","size":1000,"filename":"artifacts.zip","file_format":"zip"}],
            "artifacts_expire_at":"2016-01-23T17:54:27.895Z","tag_list":["docker runner","ubuntu18"],"id":7,"name":"teaspoon",
            "pipeline":{"id":6,"project_id":1,"ref":"main","sha":"0ff3ae198f8601a285adcf5c0fff204ee6fba5fd","status":"pending"},
            "ref":"main","runner":{"id":32,"description":"aws-runner-3","ip_address":null,"active":true,"paused":false,
            "is_shared":true,"runner_type":"instance_type","name":null,"online":true,"status":"online"},"stage":"stage-1",
            "status":"success","failure_reason":null,"tag":false,"web_url":"https://example.com/foo/bar/-/jobs/7",
            "project":{"ci_job_token_scope_enabled":false},"user":{"id":1,"name":"Administrator","username":"root"}}""";

    private static List<ApiJob> page(String json) throws Exception {
        return JobsPageReader.page(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    private static String refusal(String json) {
        UnusableAnswer e = assertThrows(UnusableAnswer.class, () -> page(json));
        assertFalse(e.isTransient(), "the same page says the same when asked again");
        return e.getMessage();
    }

    @Test
    void ofEachJobOnlyWhatItsAdmissionNeedsIsKept() throws Exception {
        List<ApiJob> jobs = page("[" + DOCUMENTED + "," + DOCUMENTED.replace("\"id\":7,", "\"id\":6,") + "]");
        assertEquals(List.of(7L, 6L), jobs.stream().map(ApiJob::id).toList());
        assertEquals("{\"created_at\":\"2015-12-24T15:51:21.802Z\",\"started_at\":\"2015-12-24T17:54:27.722Z\","
                + "\"finished_at\":\"2015-12-24T17:54:27.895Z\",\"id\":7,\"ref\":\"main\",\"runner\":{\"description\":"
                + "\"aws-runner-3\"},\"stage\":\"stage-1\",\"status\":\"success\"}", jobs.get(0).document());
        assertEquals("success", jobs.get(0).status());
        assertEquals(List.of(), page("[]"));
    }

    @Test
    void aFieldOfTheWrongKindIsKeptAsItsKindForTheAdmissionToJudge() throws Exception {
        ApiJob job = page("[{\"id\":1,\"stage\":[1,2],\"status\":{\"a\":1},\"runner\":\"x\",\"ref\":null}]").get(0);
        assertEquals("{\"id\":1,\"stage\":[],\"status\":{},\"runner\":\"x\",\"ref\":null}", job.document());
        assertEquals(null, job.status());
    }

    @Test
    void whatIsNotAListOfJobObjectsIsRefusedAtTheFirstElementThatIsNotOne() {
        assertEquals("GitLab's jobs API answered an object, not a list of jobs", refusal("{\"message\":\"hi\"}"));
        assertEquals("GitLab's jobs API answered element 1 without an integer id, not a job", refusal("[{},{},{}]"));
        assertEquals("GitLab's jobs API answered element 2 as a number, not a job", refusal("[{\"id\":1},0,0]"));
        assertEquals("GitLab's jobs API answered element 1 as a list, not a job", refusal("[[],[]]"));
        assertEquals("GitLab's jobs API answered element 1 without an integer id, not a job", refusal("[{\"id\":1.5}]"));
        assertEquals("GitLab's jobs API answered malformed JSON at line 1 column 5", refusal("[] []"));
        assertEquals("GitLab's jobs API answered malformed JSON at line 1 column 4", refusal("[{id:1}]"));
    }

    @Test
    void nestingIsBoundedWhereTheJsonEnters() {
        String deep = "[{\"id\":1,\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}]";
        String message = refusal(deep);
        assertEquals("GitLab's jobs API answered JSON nested deeper than 32 levels at line 1 column 45", message);
    }
}
