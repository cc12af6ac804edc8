package org.spack.gantry.predict;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One package's {@code develop} jobs, immutable: an update builds a new one, so a
 * prediction always reads one consistent state without locking.
 */
final class PackageHistory {
    /** A value the spec names that no job of the package has: no row can match. */
    static final int UNKNOWN = -2;

    private final List<IndexedJob> jobs;
    private final Map<String, Integer> versions = new HashMap<>();
    private final Map<String, Integer> compilerNames = new HashMap<>();
    private final Map<String, Integer> compilerVersions = new HashMap<>();
    private final Map<String, Partition> byVariants = new HashMap<>();
    /** Expensive values packed (see {@link #pack}): a package has a handful, a scan beats hashing. */
    private final long[] packedKeys;
    private final Partition[] packedPartitions;
    private final Map<List<Long>, Partition> otherExpensive = new HashMap<>();
    private final boolean needsDatabase;
    private final long version;

    /** A package with a row the index does not model: the reference queries answer for it. */
    static final PackageHistory NEEDS_DATABASE = new PackageHistory(List.of(), true, -1);

    private PackageHistory(List<IndexedJob> sorted, boolean needsDatabase, long version) {
        this.jobs = sorted;
        this.needsDatabase = needsDatabase;
        this.version = version;
        Map<String, List<IndexedJob>> variantGroups = new LinkedHashMap<>();
        Map<List<Long>, List<IndexedJob>> expensiveGroups = new LinkedHashMap<>();
        for (IndexedJob j : sorted) {
            versions.putIfAbsent(j.version(), versions.size());
            compilerNames.putIfAbsent(j.compilerName(), compilerNames.size());
            compilerVersions.putIfAbsent(j.compilerVersion(), compilerVersions.size());
            variantGroups.computeIfAbsent(j.variants(), k -> new ArrayList<>()).add(j);
            if (j.expensive() != null) {
                expensiveGroups.computeIfAbsent(j.expensive(), k -> new ArrayList<>()).add(j);
            }
        }
        variantGroups.forEach((k, group) -> byVariants.put(k, partition(group)));
        List<Long> packed = new ArrayList<>();
        List<Partition> packedGroups = new ArrayList<>();
        expensiveGroups.forEach((k, group) -> {
            long p = pack(k);
            if (p == UNPACKABLE) {
                otherExpensive.put(k, partition(group));
            } else {
                packed.add(p);
                packedGroups.add(partition(group));
            }
        });
        packedKeys = packed.stream().mapToLong(Long::longValue).toArray();
        packedPartitions = packedGroups.toArray(new Partition[0]);
    }

    static final long UNPACKABLE = -1;

    /**
     * Expensive values as two bits each (absent, 0 or 1), or {@link #UNPACKABLE} when
     * one is another integer: {@code +cuda~mpi} is the usual case, {@code cuda=2} is not.
     */
    static long pack(List<Long> values) {
        long packed = 0;
        for (int i = 0; i < values.size(); i++) {
            Long v = values.get(i);
            long bits;
            if (v == null) {
                bits = 0;
            } else if (v == 0) {
                bits = 1;
            } else if (v == 1) {
                bits = 2;
            } else {
                return UNPACKABLE;
            }
            packed |= bits << (2 * i);
        }
        return packed;
    }

    /** @param version unique to this state of the package (see {@link #version()}) */
    static PackageHistory of(List<IndexedJob> jobs, long version) {
        List<IndexedJob> sorted = new ArrayList<>(jobs);
        sorted.sort(IndexedJob.SQLITE_ORDER);
        return new PackageHistory(sorted, false, version);
    }

    /** This history with more jobs: a new instance, this one is left as it is. */
    PackageHistory plus(List<IndexedJob> more, long version) {
        if (needsDatabase) return this;
        List<IndexedJob> all = new ArrayList<>(jobs.size() + more.size());
        all.addAll(jobs);
        all.addAll(more);
        return of(all, version);
    }

    /** Differs between any two states of the package's history (positive; -1 when it needs the database). */
    long version() {
        return version;
    }

    private Partition partition(List<IndexedJob> group) {
        return new Partition(group, versions, compilerNames, compilerVersions);
    }

    int size() {
        return jobs.size();
    }

    int versionId(String v) {
        return versions.getOrDefault(v, UNKNOWN);
    }

    int compilerNameId(String v) {
        return compilerNames.getOrDefault(v, UNKNOWN);
    }

    int compilerVersionId(String v) {
        return compilerVersions.getOrDefault(v, UNKNOWN);
    }

    /** The jobs whose stored variants are exactly this JSON text, or null. */
    Partition withVariants(String variantsJson) {
        return byVariants.get(variantsJson);
    }

    /** The jobs whose expensive variants match the requirement, or null. */
    Partition withExpensive(List<Long> requirement) {
        long packed = pack(requirement);
        if (packed == UNPACKABLE) {
            return otherExpensive.get(requirement);
        }
        for (int i = 0; i < packedKeys.length; i++) {
            if (packedKeys[i] == packed) return packedPartitions[i];
        }
        return null;
    }

    boolean needsDatabase() {
        return needsDatabase;
    }
}
