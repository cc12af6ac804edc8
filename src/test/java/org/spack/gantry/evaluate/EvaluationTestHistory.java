package org.spack.gantry.evaluate;

import java.nio.file.Path;
import org.spack.gantry.testing.TestDatabases;

/**
 * A small hand-made history: five develop builds of zlib, one PR build, and the three newest
 * jobs to hold out (zlib again, a package never built, and a job without variants that the
 * API refuses).
 */
public final class EvaluationTestHistory {
    private static final String ZLIB = "'zlib','1.3','{\"shared\": true, \"build_system\": \"cmake\"}','gcc','12.3.0'";

    private EvaluationTestHistory() {}

    static String job(int id, String ref, String pkg, double cpuMean, double cpuRequest, double memMean, double memMax,
            double memRequest) {
        return "INSERT INTO jobs VALUES(" + id + ",'pod-" + id + "',1," + (1000 + id) + "," + (2000 + id) + "," + (500 + id)
                + ",'success','" + ref + "'," + pkg + ",'linux-ubuntu22.04-x86_64_v3','e4s',16," + cpuRequest + ",NULL,"
                + cpuMean + ",0,0,0,0," + memRequest + "," + memRequest + "," + memMean + ",0," + memMax + ",0,0);\n";
    }

    public static Path write(Path dir) {
        Path db = TestDatabases.migrated(dir);
        StringBuilder sql = new StringBuilder(
                "INSERT INTO nodes VALUES(1,'uuid-1','node-1',32.0,131072000000.0,'amd64','linux','m5.8xlarge');\n");
        for (int i = 1; i <= 5; i++) {
            // cpu_mean 1..5 cores, mem_mean 1..5 GB, mem_max 2..6 GB
            sql.append(job(i, "develop", ZLIB, i, 2.0, i * 1e9, (i + 1) * 1e9, 4e9));
        }
        sql.append(job(6, "pr-1", ZLIB, 50, 2.0, 50e9, 50e9, 4e9)); // a PR build is never history
        sql.append(job(7, "develop", ZLIB, 6.0, 2.0, 3.3e9, 3.5e9, 4e9));
        sql.append(job(8, "develop", "'newpkg','1.0','{\"mpi\": true}','gcc','12.3.0'", 0.5, 1.0, 1e9, 1.5e9, 2e9));
        sql.append(job(9, "develop", "'novariants','1.0','{}','gcc','12.3.0'", 1, 1, 1e9, 1e9, 1e9));
        TestDatabases.execute(db, sql.toString());
        return db;
    }

}
