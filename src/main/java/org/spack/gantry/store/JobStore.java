package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** All SQL on {@code jobs} except the prediction queries. */
public final class JobStore {
    private static final String INSERT = "INSERT INTO jobs (pod, node, start, \"end\", gitlab_id, job_status, ref,"
            + " pkg_name, pkg_version, pkg_variants, compiler_name, compiler_version, arch, stack, build_jobs,"
            + " cpu_request, cpu_limit, cpu_mean, cpu_median, cpu_max, cpu_min, cpu_stddev,"
            + " mem_request, mem_limit, mem_mean, mem_median, mem_max, mem_min, mem_stddev)"
            + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
            // only the duplicate (the same gitlab_id or pod) is ignored: a NULL in a NOT NULL column still fails
            + " ON CONFLICT DO NOTHING RETURNING id";

    public boolean exists(Connection c, long gitlabId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM jobs WHERE gitlab_id=?")) {
            st.setLong(1, gitlabId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Inserts the job; its {@code jobs.id}, or null when a job with that pod or GitLab id is already stored. */
    public Long insert(Connection c, JobRow j, long nodeId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(INSERT)) {
            int i = 1;
            st.setString(i++, j.pod());
            st.setLong(i++, nodeId);
            st.setLong(i++, j.start());
            st.setLong(i++, j.end());
            st.setLong(i++, j.gitlabId());
            st.setString(i++, j.jobStatus());
            st.setString(i++, j.ref());
            st.setString(i++, j.pkgName());
            st.setString(i++, j.pkgVersion());
            st.setString(i++, j.pkgVariants());
            st.setString(i++, j.compilerName());
            st.setString(i++, j.compilerVersion());
            st.setString(i++, j.arch());
            st.setString(i++, j.stack());
            st.setLong(i++, j.buildJobs());
            st.setDouble(i++, j.cpuRequest());
            if (j.cpuLimit() == null) {
                st.setNull(i++, Types.REAL);
            } else {
                st.setDouble(i++, j.cpuLimit());
            }
            for (double v : new double[] {j.cpuMean(), j.cpuMedian(), j.cpuMax(), j.cpuMin(), j.cpuStddev(),
                    j.memRequest(), j.memLimit(), j.memMean(), j.memMedian(), j.memMax(), j.memMin(), j.memStddev()}) {
                st.setDouble(i++, v);
            }
            // on PostgreSQL a trigger announces it to the other hosts at commit (PostgresJobChanges)
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    /** The {@code limit} newest jobs by id, every ref, newest first. */
    public List<StoredJob> newest(Connection c, int limit) throws SQLException {
        List<StoredJob> jobs = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT id, pod, start, \"end\", gitlab_id, job_status, ref,"
                + " pkg_name, pkg_version, pkg_variants, compiler_name, compiler_version, arch, stack, build_jobs,"
                + " cpu_request, cpu_limit, cpu_mean, cpu_median, cpu_max, cpu_min, cpu_stddev,"
                + " mem_request, mem_limit, mem_mean, mem_median, mem_max, mem_min, mem_stddev"
                + " FROM jobs ORDER BY id DESC LIMIT ?")) {
            st.setInt(1, limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    jobs.add(new StoredJob(rs.getLong("id"), rowOf(rs)));
                }
            }
        }
        return jobs;
    }

    private static JobRow rowOf(ResultSet rs) throws SQLException {
        Double cpuLimit = rs.getObject("cpu_limit") == null ? null : rs.getDouble("cpu_limit");
        return new JobRow(rs.getString("pod"), rs.getLong("start"), rs.getLong("end"), rs.getLong("gitlab_id"),
                rs.getString("job_status"), rs.getString("ref"), rs.getString("pkg_name"), rs.getString("pkg_version"),
                rs.getString("pkg_variants"), rs.getString("compiler_name"), rs.getString("compiler_version"),
                rs.getString("arch"), rs.getString("stack"), rs.getLong("build_jobs"), rs.getDouble("cpu_request"),
                cpuLimit, rs.getDouble("cpu_mean"), rs.getDouble("cpu_median"),
                rs.getDouble("cpu_max"), rs.getDouble("cpu_min"), rs.getDouble("cpu_stddev"),
                rs.getDouble("mem_request"), rs.getDouble("mem_limit"), rs.getDouble("mem_mean"),
                rs.getDouble("mem_median"), rs.getDouble("mem_max"), rs.getDouble("mem_min"), rs.getDouble("mem_stddev"));
    }
}
