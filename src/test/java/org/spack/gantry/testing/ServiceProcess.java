package org.spack.gantry.testing;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The main process of a running systemd unit as the kernel sees it, read from /proc in its
 * container: its status (user, capabilities, no_new_privs, seccomp, umask), its mounts and
 * whether it has namespaces of its own. That is where a unit's sandboxing shows, or does not.
 * Reading another user's namespaces needs CAP_SYS_PTRACE in the container.
 */
public final class ServiceProcess {
    private final String pid;
    private final Map<String, String> status;
    private final String mounts;
    private final String initMounts;
    private final SystemdContainer host;

    private ServiceProcess(SystemdContainer host, String pid, Map<String, String> status, String mounts, String initMounts) {
        this.host = host;
        this.pid = pid;
        this.status = status;
        this.mounts = mounts;
        this.initMounts = initMounts;
    }

    public static ServiceProcess of(SystemdContainer host, String unit) throws IOException, InterruptedException {
        String pid = host.show(unit, "MainPID").get("MainPID");
        Map<String, String> status = new LinkedHashMap<>();
        for (String line : host.execOk("cat /proc/" + pid + "/status").lines().toList()) {
            int colon = line.indexOf(':');
            if (colon > 0) status.put(line.substring(0, colon), line.substring(colon + 1).strip());
        }
        return new ServiceProcess(host, pid, status, host.execOk("cat /proc/" + pid + "/mountinfo"),
                host.execOk("cat /proc/1/mountinfo"));
    }

    public String pid() {
        return pid;
    }

    /** A line of /proc/PID/status, e.g. {@code NoNewPrivs} or {@code CapBnd}. */
    public String status(String key) {
        return status.getOrDefault(key, "");
    }

    /** Whether it has a namespace of the kind ({@code mnt}, {@code uts}) other than PID 1's. */
    public boolean ownNamespace(String kind) throws IOException, InterruptedException {
        String[] both = host.execOk("readlink /proc/1/ns/" + kind + " /proc/" + pid + "/ns/" + kind).strip().split("\n");
        return both.length == 2 && !both[0].equals(both[1]);
    }

    /** The per-mount options (ro or rw first) of the mount at {@code point}, or "" when there is none. */
    public String mountOptions(String point) {
        return field(mounts, point, 5);
    }

    /** The same for PID 1, to compare with. */
    public String initMountOptions(String point) {
        return field(initMounts, point, 5);
    }

    /** What is mounted at {@code point}: the root within its filesystem (a private /tmp's directory, "inaccessible"). */
    public String mountRoot(String point) {
        return field(mounts, point, 3);
    }

    /** The filesystem's own options of the mount at {@code point} (after " - fstype source "), e.g. hidepid=. */
    public String superOptions(String point) {
        String line = last(mounts, point);
        if (line.isEmpty()) return "";
        String[] after = line.substring(line.indexOf(" - ") + 3).split(" ");
        return after.length > 2 ? after[2] : "";
    }

    /** For failure messages. */
    public String describe() {
        return "status: " + status + "\nmountinfo:\n" + mounts;
    }

    private static String field(String mountinfo, String point, int index) {
        String line = last(mountinfo, point);
        return line.isEmpty() ? "" : line.split(" ")[index];
    }

    /** The topmost mount at a point: the last mountinfo line for it. */
    private static String last(String mountinfo, String point) {
        String found = "";
        for (String line : mountinfo.lines().toList()) {
            String[] f = line.split(" ");
            if (f.length > 5 && f[4].equals(point)) found = line;
        }
        return found;
    }
}
