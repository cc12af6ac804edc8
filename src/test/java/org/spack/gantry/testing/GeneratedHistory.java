package org.spack.gantry.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.spack.gantry.spec.PythonJson;

/**
 * A random but reproducible history built to catch every way a fast path could
 * differ from the reference queries: many jobs finishing in the same second (ties in
 * {@code ORDER BY end}), integer and real timestamps, expensive variants stored as
 * true/false, integers, reals, strings and nulls, text whose UTF-8 order differs from
 * Java's, non-develop refs, and a package whose stored variants are not JSON.
 */
public final class GeneratedHistory {
    public static final List<String> EXPENSIVE = List.of("sycl", "mpi", "rocm", "cuda", "python", "fortran", "openmp", "hdf5");
    private static final List<String> CHEAP = List.of("shared", "pic", "debug", "ipo", "static");
    private static final String[][] COMPILERS = {{"gcc", "11.4.0"}, {"gcc", "12.3.0"}, {"clang", "16.0.6"}};
    // U+E000 sorts before U+1F600 in UTF-8 (SQLite) and after it in UTF-16 (Java's compareTo)
    private static final String[] ODD_VERSIONS = {"1.\uE000", "1.\uD83D\uDE00", "1.\u00e9"};

    /** One row of {@code jobs}; {@code end} is a Long or a Double. */
    public record Job(String ref, String pkgName, String version, Map<String, Object> variants, String variantsJson,
            String compilerName, String compilerVersion, Number end, double cpuMean, double memMean) {}

    /** A package: what its builds may look like. */
    public record Package(String name, List<String> versions, List<String[]> compilers,
            List<Map<String, Object>> configs) {}

    private final List<Package> packages = new ArrayList<>();
    private final List<Job> jobs = new ArrayList<>();

    public List<Job> jobs() {
        return jobs;
    }

    public List<Package> packages() {
        return packages;
    }

    /** A history of about {@code jobCount} jobs over {@code packageCount} packages (plus the special ones). */
    public static GeneratedHistory random(long seed, int packageCount, int jobCount) {
        Random rng = new Random(seed);
        GeneratedHistory h = new GeneratedHistory();
        for (int p = 0; p < packageCount; p++) {
            h.packages.add(randomPackage(rng, p));
        }
        long base = 1_700_000_000L;
        for (int i = 0; i < jobCount; i++) {
            // skewed: low package numbers get most builds
            Package p = h.packages.get((int) Math.min(packageCount - 1, Math.abs(rng.nextGaussian()) * packageCount / 3));
            h.jobs.add(randomJob(rng, p, base + rng.nextInt(40)));
        }
        h.addTiePackage(rng, base);
        h.addOddlyStoredPackage(rng, base);
        h.addNonJsonPackage(rng, base);
        java.util.Collections.shuffle(h.jobs, rng);
        return h;
    }

    private static Package randomPackage(Random rng, int p) {
        String name = switch (p % 7) {
            case 0 -> "caf\u00e9-" + p;
            case 1 -> "py-pkg" + p;
            default -> "pkg" + p;
        };
        List<String> versions = new ArrayList<>();
        for (int v = 0; v < 1 + rng.nextInt(3); v++) {
            versions.add(rng.nextInt(4) == 0 ? ODD_VERSIONS[rng.nextInt(ODD_VERSIONS.length)] : v + "." + rng.nextInt(3));
        }
        List<String[]> compilers = new ArrayList<>();
        for (String[] c : COMPILERS) {
            if (compilers.isEmpty() || rng.nextBoolean()) compilers.add(c);
        }
        List<String> expensive = pick(rng, EXPENSIVE, rng.nextInt(3));
        List<String> cheap = pick(rng, CHEAP, 1 + rng.nextInt(2));
        List<Map<String, Object>> configs = new ArrayList<>();
        for (int c = 0; c < 1 + rng.nextInt(4); c++) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String e : expensive) m.put(e, rng.nextBoolean());
            for (String ch : cheap) m.put(ch, rng.nextBoolean());
            if (rng.nextBoolean()) m.put("build_system", rng.nextBoolean() ? "cmake" : "autotools");
            if (rng.nextInt(5) == 0) m.put("patches", List.of("a1", "b2"));
            configs.add(m);
        }
        return new Package(name, versions, compilers, configs);
    }

    private static Job randomJob(Random rng, Package p, long end) {
        Map<String, Object> variants = p.configs.get(rng.nextInt(p.configs.size()));
        String[] compiler = p.compilers.get(rng.nextInt(p.compilers.size()));
        String ref = rng.nextInt(10) < 7 ? "develop" : "pr" + rng.nextInt(1000);
        // an occasional fractional timestamp, as the reference stored them
        Number stamp = rng.nextInt(8) == 0 ? (Number) (end + 0.5) : (Number) end;
        return new Job(ref, p.name, p.versions.get(rng.nextInt(p.versions.size())), variants,
                PythonJson.dumps(variants), compiler[0], compiler[1], stamp,
                // magnitudes far apart: the sum's order shows in the last bits
                Math.pow(10, rng.nextInt(7) - 3) * (1 + rng.nextDouble()),
                Math.pow(10, 6 + rng.nextInt(6)) * (1 + rng.nextDouble()));
    }

    /** Twelve identical builds finishing in the same second, and then some: the sample is decided by tie order alone. */
    private void addTiePackage(Random rng, long base) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("cuda", true);
        v.put("shared", false);
        Map<String, Object> other = new LinkedHashMap<>(v);
        other.put("shared", true);
        Package p = new Package("tied", List.of("1.0", "1.\uE000", "1.\uD83D\uDE00"),
                List.<String[]>of(COMPILERS[0], COMPILERS[2]), List.of(v, other));
        packages.add(p);
        for (int i = 0; i < 60; i++) {
            Map<String, Object> variants = i % 3 == 0 ? other : v;
            String[] compiler = p.compilers.get(i % 4 == 0 ? 1 : 0);
            jobs.add(new Job("develop", p.name, p.versions.get(i % 5 == 0 ? 1 + rng.nextInt(2) : 0), variants,
                    PythonJson.dumps(variants), compiler[0], compiler[1], base + 100 + (i % 2), 
                    Math.pow(10, rng.nextInt(7) - 3) * (1 + rng.nextDouble()),
                    Math.pow(10, 6 + rng.nextInt(6)) * (1 + rng.nextDouble())));
        }
        // the newest second: six builds whose versions sort differently in UTF-8 and in UTF-16,
        // so a sample without the version column is decided by the index's text order
        for (int i = 0; i < 6; i++) {
            jobs.add(new Job("develop", p.name, p.versions.get(1 + i % 2), v, PythonJson.dumps(v), "gcc", "11.4.0",
                    base + 102, 1 + i + rng.nextDouble(), 1e9 * (1 + i)));
        }
    }

    /** Expensive variants stored as integers, reals, strings and nulls, which json_extract compares by SQL rules. */
    private void addOddlyStoredPackage(Random rng, long base) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("cuda", true);
        v.put("mpi", false);
        v.put("pic", true);
        Package p = new Package("oddly-stored", List.of("2.0"), List.<String[]>of(COMPILERS[0]), List.of(v));
        packages.add(p);
        String json = PythonJson.dumps(v);
        String[] odd = {
            json,
            json.replace("\"cuda\": true", "\"cuda\": 1"),
            json.replace("\"cuda\": true", "\"cuda\": 1.0"),
            json.replace("\"cuda\": true", "\"cuda\": \"1\""),
            json.replace("\"cuda\": true", "\"cuda\": 2"),
            json.replace("\"cuda\": true", "\"cuda\": null"),
            json.replace("\"cuda\": true", "\"cuda\": 1.5"),
            json.replace("\"mpi\": false", "\"mpi\": -0.0"),
        };
        for (int i = 0; i < 80; i++) {
            jobs.add(new Job("develop", p.name, "2.0", v, odd[i % odd.length], "gcc", "11.4.0",
                    base + 200 + rng.nextInt(10), 1 + rng.nextDouble(), 1e9 * (1 + rng.nextDouble())));
        }
    }

    /** Stored variants that are not JSON: json_extract fails, and the reference fails with it. */
    private void addNonJsonPackage(Random rng, long base) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("mpi", true);
        Package p = new Package("not-json", List.of("3.0"), List.<String[]>of(COMPILERS[0]), List.of(v));
        packages.add(p);
        for (int i = 0; i < 6; i++) {
            jobs.add(new Job("develop", p.name, "3.0", v, i == 0 ? "{not json" : PythonJson.dumps(v), "gcc", "11.4.0",
                    base + 300 + i, 2 + rng.nextDouble(), 2e9));
        }
    }

    private static List<String> pick(Random rng, List<String> from, int n) {
        List<String> copy = new ArrayList<>(from);
        java.util.Collections.shuffle(copy, rng);
        return copy.subList(0, Math.min(n, copy.size()));
    }

    /** Writes the jobs (and one node) in one transaction. */
    public static void insert(Connection c, List<Job> jobs) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement();
                PreparedStatement ps = c.prepareStatement("INSERT INTO jobs (pod, node, start, \"end\", gitlab_id,"
                        + " job_status, ref, pkg_name, pkg_version, pkg_variants, compiler_name, compiler_version, arch,"
                        + " stack, build_jobs, cpu_request, cpu_limit, cpu_mean, cpu_median, cpu_max, cpu_min,"
                        + " cpu_stddev, mem_request, mem_limit, mem_mean, mem_median, mem_max, mem_min, mem_stddev)"
                        + " VALUES (?,1,0,?,?,'success',?,?,?,?,?,?,'x86_64','e4s',16,1,NULL,?,0,?,0,0,1,1,?,0,?,0,0)")) {
            st.execute("INSERT INTO nodes (id, uuid, hostname, cores, mem, arch, os, instance_type)"
                    + " VALUES (1, 'u', 'h', 32, 1e11, 'amd64', 'linux', 'm5') ON CONFLICT DO NOTHING");
            long next = nextGitlabId(st);
            for (Job j : jobs) {
                long id = next++;
                ps.setString(1, "pod-" + id);
                if (j.end() instanceof Double d) ps.setDouble(2, d); else ps.setLong(2, j.end().longValue());
                ps.setLong(3, id);
                ps.setString(4, j.ref());
                ps.setString(5, j.pkgName());
                ps.setString(6, j.version());
                ps.setString(7, j.variantsJson());
                ps.setString(8, j.compilerName());
                ps.setString(9, j.compilerVersion());
                ps.setDouble(10, j.cpuMean());
                // peaks the limits are made of: apart from the means, in the same bits-sensitive magnitudes
                ps.setDouble(11, j.cpuMean() * 1.7);
                ps.setDouble(12, j.memMean());
                ps.setDouble(13, j.memMean() * 1.3);
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static long nextGitlabId(Statement st) throws SQLException {
        try (var rs = st.executeQuery("SELECT coalesce(max(gitlab_id), 0) + 1 FROM jobs")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Specs that exercise every predictor: every stored build as it was, and variations
     * (an unseen version or compiler, cheap or expensive variants changed, expensive
     * variants given as integers or as values the reference refuses), for every package
     * and for a few unknown ones.
     */
    public List<String> queries(long seed) {
        Random rng = new Random(seed);
        List<String> specs = new ArrayList<>();
        for (Job j : jobs) {
            specs.add(spec(j.pkgName(), j.version(), j.variants(), j.compilerName(), j.compilerVersion()));
        }
        for (Package p : packages) {
            for (int i = 0; i < 25; i++) {
                String version = rng.nextInt(5) == 0 ? "9.9" : p.versions.get(rng.nextInt(p.versions.size()));
                String[] compiler = rng.nextInt(6) == 0 ? new String[] {"oneapi", "2024.0"}
                        : p.compilers.get(rng.nextInt(p.compilers.size()));
                if (rng.nextInt(6) == 0) compiler = new String[] {compiler[0], "0.1"};
                Map<String, Object> variants = new LinkedHashMap<>(p.configs.get(rng.nextInt(p.configs.size())));
                vary(rng, variants);
                String name = rng.nextInt(15) == 0 ? p.name + "-unknown" : p.name;
                specs.add(spec(name, version, variants, compiler[0], compiler[1]));
            }
        }
        return specs;
    }

    private static void vary(Random rng, Map<String, Object> variants) {
        switch (rng.nextInt(9)) {
            case 0, 1, 2 -> { } // as built
            case 3 -> variants.put("newflag", true); // cheap change: only expensive variants can match
            case 4 -> variants.replaceAll((k, v) -> v instanceof Boolean b && !EXPENSIVE.contains(k) ? !b : v);
            case 5 -> variants.put(EXPENSIVE.get(rng.nextInt(EXPENSIVE.size())), rng.nextBoolean());
            case 6 -> variants.put("cuda", new String[] {"1", "0", "2", "+1", "1_0", "-0"}[rng.nextInt(6)]);
            case 7 -> variants.remove(EXPENSIVE.stream().filter(variants::containsKey).findFirst().orElse("none"));
            default -> variants.put(EXPENSIVE.get(rng.nextInt(EXPENSIVE.size())),
                    rng.nextBoolean() ? "maybe" : List.of("a", "b")); // the reference refuses these
        }
        if (variants.isEmpty()) variants.put("shared", true);
    }

    /** The spec text that parses back to these fields. */
    public static String spec(String name, String version, Map<String, Object> variants, String compiler,
            String compilerVersion) {
        StringBuilder flags = new StringBuilder();
        StringBuilder pairs = new StringBuilder();
        for (Map.Entry<String, Object> e : variants.entrySet()) {
            if (e.getValue() instanceof Boolean b) {
                flags.append(b ? '+' : '~').append(e.getKey());
            } else {
                Object v = e.getValue();
                String text = v instanceof List<?> l ? String.join(",", l.stream().map(Object::toString).toList()) : (String) v;
                pairs.append(' ').append(e.getKey()).append('=').append(text);
            }
        }
        return name + "@" + version + " " + flags + pairs + " arch=linux-x86_64%" + compiler + "@" + compilerVersion;
    }
}
