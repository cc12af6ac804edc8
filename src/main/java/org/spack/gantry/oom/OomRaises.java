package org.spack.gantry.oom;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.spack.gantry.collect.KillListener;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.store.ExactSpec;
import org.spack.gantry.store.JobCommitListener;
import org.spack.gantry.store.JobRow;
import org.spack.gantry.store.OomKillRow;
import org.spack.gantry.store.OomKillStore;
import org.spack.gantry.trace.Trace;

/**
 * The raises in force, in memory, so that an answer needs no SQL: for each spec, its OOM
 * kills whose job ended after its last successful build. Loaded from {@code oom_kills} at
 * the start; then told of each kill and each successful build this process commits (every
 * job, whoever queued it, is collected by the server's workers). A successful build of the
 * spec ends its raise.
 */
public final class OomRaises implements KillListener, JobCommitListener {
    /** A kill as the raise needs it. */
    private record Kill(long buildId, long end, Double memLimit) {}

    private static final Comparator<Kill> BY_END = Comparator.comparingLong(Kill::end).thenComparingLong(Kill::buildId);

    private final Map<String, Map<ExactSpec, List<Kill>>> byPackage = new ConcurrentHashMap<>();
    private final Map<String, Long> revisions = new ConcurrentHashMap<>();
    private final AtomicLong changes = new AtomicLong();

    /** @param inForce {@link OomKillStore#inForce}: the kills no successful build ended after */
    public OomRaises(List<OomKillRow> inForce) {
        for (OomKillRow k : inForce) {
            add(k);
        }
    }

    /**
     * Takes the kills in force as the database now holds them (other hosts of a fleet
     * record kills and successes too); a package whose raises changed gets a new revision.
     */
    public synchronized void reload(List<OomKillRow> inForce) {
        OomRaises fresh = new OomRaises(inForce);
        java.util.Set<String> packages = new java.util.HashSet<>(byPackage.keySet());
        packages.addAll(fresh.byPackage.keySet());
        for (String pkg : packages) {
            Map<ExactSpec, List<Kill>> now = fresh.byPackage.get(pkg);
            if (java.util.Objects.equals(now, byPackage.get(pkg))) continue;
            if (now == null) byPackage.remove(pkg);
            else byPackage.put(pkg, now);
            bump(pkg);
        }
    }

    /** The raised memory limit in bytes for the spec, when a raise is in force for it. */
    public OptionalDouble raisedLimit(Spec spec) {
        return raisedLimit(spec, Trace.OFF);
    }

    /** As {@link #raisedLimit(Spec)}, telling the trace the kills in force and the raise made of them. */
    public OptionalDouble raisedLimit(Spec spec, Trace trace) {
        Map<ExactSpec, List<Kill>> specs = byPackage.get(spec.pkgName());
        List<Kill> kills = specs == null ? null : specs.get(new ExactSpec(spec.pkgName(), spec.pkgVersion(),
                spec.variants().json(), spec.compilerName(), spec.compilerVersion(), spec.arch()));
        if (kills == null) {
            trace.step("OOM raise", "none: no OOM kill of this spec since its last successful build", Double.NaN);
            return OptionalDouble.empty();
        }
        for (Kill k : kills) {
            trace.kill(k.buildId(), k.end(), k.memLimit() == null ? Double.NaN : k.memLimit());
        }
        return OomRaise.raisedLimit(kills.stream().map(Kill::memLimit).toList(), trace);
    }

    /**
     * A number that changes (and only grows) whenever a raise for one of the package's
     * specs begins, grows or ends: kept answers about the package are then stale.
     */
    public long revision(String pkgName) {
        return revisions.getOrDefault(pkgName, 0L);
    }

    /** How many specs have a raise in force. */
    public int inForce() {
        int n = 0;
        for (Map<ExactSpec, List<Kill>> specs : byPackage.values()) {
            for (List<Kill> kills : specs.values()) {
                if (OomRaise.raisedLimit(kills.stream().map(Kill::memLimit).toList()).isPresent()) n++;
            }
        }
        return n;
    }

    @Override
    public synchronized void killed(OomKillStore.Recorded recorded) {
        // a kill a later success had already ended raises nothing
        if (recorded.killsSinceSuccess() > 0) {
            add(recorded.kill());
        }
    }

    /** A successful build ends the raise of its spec (its kills that ended before it). */
    @Override
    public synchronized void committed(long id, JobRow row) {
        ExactSpec spec = ExactSpec.of(row);
        boolean[] changed = new boolean[1];
        byPackage.computeIfPresent(spec.pkgName(), (pkg, specs) -> {
            Map<ExactSpec, List<Kill>> next = new HashMap<>(specs);
            List<Kill> kills = next.get(spec);
            if (kills != null) {
                List<Kill> later = kills.stream().filter(k -> k.end() > row.end()).toList();
                changed[0] = later.size() != kills.size();
                if (later.isEmpty()) next.remove(spec);
                else next.put(spec, later);
            }
            return next.isEmpty() ? null : Map.copyOf(next);
        });
        if (changed[0]) bump(spec.pkgName());
    }

    private void add(OomKillRow k) {
        ExactSpec spec = k.spec();
        byPackage.compute(spec.pkgName(), (pkg, specs) -> {
            Map<ExactSpec, List<Kill>> next = specs == null ? new HashMap<>() : new HashMap<>(specs);
            List<Kill> kills = new ArrayList<>(next.getOrDefault(spec, List.of()));
            if (kills.stream().noneMatch(x -> x.buildId() == k.buildId())) {
                kills.add(new Kill(k.buildId(), k.end(), k.memLimit()));
                kills.sort(BY_END);
            }
            next.put(spec, List.copyOf(kills));
            return Map.copyOf(next);
        });
        bump(spec.pkgName());
    }

    private void bump(String pkgName) {
        long next = changes.incrementAndGet();
        revisions.merge(pkgName, next, Math::max);
    }
}
