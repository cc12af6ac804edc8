package org.spack.gantry.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The project API's address and GitLab's words in an error answer, read the same by the jobs and the pipelines clients. */
class GitLabProjectTest {
    @Test
    void theProjectUrlLosesATrailingSlashAndTheTokenGoesInPrivateToken() {
        GitLabProject p = GitLabProject.of("https://gitlab.example/api/v4/projects/2/", "t0ken");
        assertEquals("https://gitlab.example/api/v4/projects/2", p.url());
        assertEquals(Map.of("PRIVATE-TOKEN", "t0ken"), p.headers());
    }

    @Test
    void gitLabsWordsAreReadFromErrorOrMessage() {
        assertEquals(Optional.of("401 Unauthorized"), GitLabProject.errorMessage("{\"message\":\"401 Unauthorized\"}"));
        assertEquals(Optional.of("insufficient_scope"), GitLabProject.errorMessage("{\"error\":\"insufficient_scope\","
                + "\"error_description\":\"The request requires higher privileges than provided by the access token.\"}"));
        // a pipeline GitLab cannot create: the validation errors, as an object
        assertEquals(Optional.of("{\"base\":[\"Reference not found\"]}"),
                GitLabProject.errorMessage("{\"message\":{\"base\":[\"Reference not found\"]}}"));
    }

    @Test
    void theWordsAreOneShortLine() {
        assertEquals(Optional.of("a b c"), GitLabProject.errorMessage("{\"message\":\"a\\n\\tb\\u0000c\"}"));
        assertEquals(Optional.of("x".repeat(200) + "..."), GitLabProject.errorMessage("{\"message\":\"" + "x".repeat(500) + "\"}"));
    }

    @Test
    void anythingElseHasNoWords() {
        for (String body : new String[] {"<html>502 Bad Gateway</html>", "[\"message\"]", "{\"messag", "{}", "{\"message\":null}", ""}) {
            assertEquals(Optional.empty(), GitLabProject.errorMessage(body), body);
        }
    }
}
